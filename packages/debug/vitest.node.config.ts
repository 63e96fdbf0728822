import { nodeProject } from '../../tools/vitest-shared.ts';

export default nodeProject({ name: 'debug:node', include: ['test/debug.test.ts', 'test/hostile.test.ts', 'test/node-only.test.ts', 'test/lite.test.ts'], testTimeout: 60_000 });
