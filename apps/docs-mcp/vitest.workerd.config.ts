import { workerdProject } from '../../tools/vitest-shared.ts';

// The docs MCP server inside workerd: tools search/read and the docs as resources.
export default workerdProject({ name: 'docs-mcp:workerd', include: ['test/**/*.test.ts'] });
