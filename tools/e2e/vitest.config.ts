import { nodeProject } from '../vitest-shared.ts';

// `npm run test:e2e` (run from the repo root): the first hour outside the workspace (minutes, not seconds), so not part of `npm test`.
export default nodeProject({ name: 'repo:e2e', include: ['tools/e2e/*.e2e.test.ts'], testTimeout: 600_000 });
