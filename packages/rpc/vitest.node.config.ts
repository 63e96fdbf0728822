import { nodeProject } from '../../tools/vitest-shared.ts';

// The shared ★ matrix and OCAN suites in a Node process against `wrangler dev` (test/node/global-setup.ts).
const project = nodeProject({ name: 'rpc:node', include: ['test/dev/*.dev.test.ts'], testTimeout: 60_000 });
export default { ...project, test: { ...project.test, globalSetup: ['./test/node/global-setup.ts'] } };
