/**
 * @lumenize/mcp — MCP on the mesh: `svc.mcp`, one Durable Object per MCP session over Streamable
 * HTTP, tools declared with `@tool` on LumenizeDO methods. Guide: docs/mcp.md.
 */
export { McpServer, type McpServerOptions, type McpResource, type McpResources } from './server.ts';
export { tool, type ToolOptions, type ToolDecorator, type ToolSpec, type ToolCallExtra, type ProgressSink } from './tool.ts';
export { routeMcpRequest, type McpRouteOptions } from './route.ts';
export { SESSION_HEADER, PROTOCOL_HEADER } from './headers.ts';
