import { workerdProject } from '../../tools/vitest-shared.ts';

// test/node/ reads files with node:fs and runs only in utils:node.
export default workerdProject({ name: 'utils:workerd', include: ['test/**/*.test.ts'], exclude: ['test/node/**'] });
