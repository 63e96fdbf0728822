import { nodeProject } from '../../tools/vitest-shared.ts';

// Live mode: the same client API from a Node process against real `wrangler dev` (test/node/global-setup.ts).
const project = nodeProject({ name: 'testing:node', include: ['test/live/*.dev.test.ts'], testTimeout: 60_000 });
export default { ...project, test: { ...project.test, globalSetup: ['./test/node/global-setup.ts'] } };
