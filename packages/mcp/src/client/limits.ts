/** Defaults and limits of the MCP client (`svc.mcp.client`), as code. */

/** The work type under which results reach `LumenizeDO.__receiveResult`. */
export const CLIENT_WORK_TYPE = 'mcp';
/** Default executor binding (a self service binding to `McpClientExecutor`). */
export const DEFAULT_CLIENT_EXECUTOR_BINDING = 'MCP_CLIENT_EXECUTOR';
/** Default time for one whole exchange (initialize + the request), ms. */
export const DEFAULT_CLIENT_TIMEOUT_MS = 30_000;
/** Longest `timeout` accepted, ms (the platform keeps a `waitUntil` for at most this long anyway). */
export const MAX_CLIENT_TIMEOUT_MS = 5 * 60_000;
/** Default extra time after `timeout` before the origin DO's watchdog answers, ms. */
export const DEFAULT_CLIENT_WATCHDOG_GRACE_MS = 5_000;
/** Default cap on the bytes of all response bodies of one exchange. */
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;
/** Largest `maxResponseBytes` accepted (results travel as one RPC message, 32 MiB). */
export const MAX_RESPONSE_BYTES_LIMIT = 16 * 1024 * 1024;
/** Largest `tools/call` arguments, as JSON characters. */
export const MAX_ARGUMENTS_CHARS = 1024 * 1024;
/** Longest tool name. */
export const MAX_TOOL_NAME_LENGTH = 128;
/** Most `tools/list` pages followed (`nextCursor`) before the list is refused as endless. */
export const MAX_LIST_PAGES = 20;
/** Most extra headers per client. */
export const MAX_CLIENT_HEADERS = 32;
/** Longest server text quoted in an error message. */
export const MAX_QUOTED_CHARS = 300;
