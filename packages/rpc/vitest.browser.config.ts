import { browserProject } from '../../tools/vitest-shared.ts';

// The shared ★ matrix and OCAN suites in real Chromium against `wrangler dev` (test/node/global-setup.ts).
const project = await browserProject({ name: 'rpc:browser', include: ['test/browser/*.browser.test.ts'] });
export default { ...project, test: { ...project.test, globalSetup: ['./test/node/global-setup.ts'], testTimeout: 60_000 } };
