/** The MCP client: `this.svc.mcp.client(url)` in a LumenizeDO, `mcpClient(this, url)` in a LumenizeWorker. */
export { McpClient, mcpClient } from './client.ts';
export { McpClientExecutor } from './executor.ts';
export { McpClientError, type McpClientErrorCode, type McpClientErrorDetails } from './errors.ts';
export type { McpClientOptions, McpCallToolResult, McpTool } from './types.ts';
export {
  DEFAULT_CLIENT_EXECUTOR_BINDING,
  DEFAULT_CLIENT_TIMEOUT_MS,
  MAX_CLIENT_TIMEOUT_MS,
  DEFAULT_CLIENT_WATCHDOG_GRACE_MS,
  DEFAULT_MAX_RESPONSE_BYTES,
  MAX_RESPONSE_BYTES_LIMIT,
  MAX_ARGUMENTS_CHARS,
  MAX_TOOL_NAME_LENGTH,
  MAX_LIST_PAGES,
} from './limits.ts';
