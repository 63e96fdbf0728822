import { nodeProject } from '../../tools/vitest-shared.ts';

// Runtime-neutral modules (OCAN core, decorators, envelope codec, call context, errors) in plain Node.
export default nodeProject({ name: 'mesh:node', include: ['test/node/**/*.test.ts'] });
