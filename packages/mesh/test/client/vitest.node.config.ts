import { nodeProject } from '../../../../tools/vitest-shared.ts';

// A real LumenizeClient in a Node process against `wrangler dev` serving the test Worker.
export default nodeProject({ name: 'mesh-clients:node', include: ['node/*.node.test.ts'], testTimeout: 120_000 });
