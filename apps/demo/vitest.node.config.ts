import { nodeProject } from '../../tools/vitest-shared.ts';

export default nodeProject({ name: 'demo:node', include: ['test/**/*.node.test.ts'], testTimeout: 120_000 });
