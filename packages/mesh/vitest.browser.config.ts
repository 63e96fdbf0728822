import { browserProject } from '../../tools/vitest-shared.ts';

// Real Chromium: a page with a LumenizeClient talks to the mesh clients test Worker served by
// `wrangler dev` (started by the global setup, its URL injected into the tests).
const project = await browserProject({ name: 'mesh:browser', include: ['test/client/browser/*.browser.test.ts'] });

export default { ...project, test: { ...project.test, globalSetup: ['./test/client/browser/global-setup.ts'], testTimeout: 60_000 } };
