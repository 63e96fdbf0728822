import { nodeProject } from '../../tools/vitest-shared.ts';

// Conformance: @modelcontextprotocol/sdk's own Client + StreamableHTTPClientTransport against `wrangler dev`.
const project = nodeProject({ name: 'mcp:node', include: ['test/node/**/*.node.test.ts'], testTimeout: 60_000 });
export default { ...project, test: { ...project.test, globalSetup: ['./test/node/global-setup.ts'] } };
