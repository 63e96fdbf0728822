import { nodeProject } from '../../tools/vitest-shared.ts';

export default nodeProject({ name: 'utils:node', include: ['test/pure/**/*.test.ts', 'test/node/**/*.test.ts'] });
