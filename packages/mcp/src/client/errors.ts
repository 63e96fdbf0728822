/**
 * The one error class of the MCP client. Registered with structured-clone, so `instanceof` and the
 * fields survive the trip from the executor (or the watchdog's stored text) to the handler.
 */
import { registerErrorClass } from '@lumenize/structured-clone';

/** What went wrong, for branching. */
export type McpClientErrorCode =
  /** The server answered with an HTTP error status (`status`). */
  | 'HTTP_ERROR'
  /** The server answered the request with a JSON-RPC error (`rpcCode`, `data`). */
  | 'RPC_ERROR'
  /** The tool ran and reported failure (`isError: true`); `result` holds its content. */
  | 'TOOL_ERROR'
  /** No complete answer within `timeout` (`ambiguous`: the tool may have run). */
  | 'TIMEOUT'
  /** Response bodies passed `maxResponseBytes`; the exchange was stopped. */
  | 'RESPONSE_TOO_LARGE'
  /** The server could not be reached (DNS, connection, TLS, a missing outbound binding). */
  | 'NETWORK_ERROR'
  /** The server's answer was not valid MCP. */
  | 'PROTOCOL_ERROR'
  /** The executor refused the hand-off (the caller is not the origin DO). Nothing was sent. */
  | 'REFUSED';

/** Optional facts carried by an {@link McpClientError}. */
export interface McpClientErrorDetails {
  status?: number;
  rpcCode?: number;
  data?: unknown;
  /** The tool's own result, for `TOOL_ERROR`. */
  result?: unknown;
  /** True when the request may have run on the server (timeouts). */
  ambiguous?: boolean;
  /** Origin and path of the server (no query string). */
  url?: string;
  /** The tool called, if any. */
  tool?: string;
}

/**
 * An MCP client call failed; `code` says how. Handlers receive it in place of the result.
 * @example if (result instanceof McpClientError && result.code === 'RPC_ERROR') console.warn(result.rpcCode, result.message);
 */
export class McpClientError extends Error {
  override name = 'McpClientError';
  readonly code: McpClientErrorCode;
  readonly status?: number;
  readonly rpcCode?: number;
  readonly data?: unknown;
  readonly result?: unknown;
  readonly ambiguous: boolean;
  readonly url?: string;
  readonly tool?: string;

  constructor(code: McpClientErrorCode, message: string, details: McpClientErrorDetails = {}) {
    super(message);
    this.code = code;
    this.ambiguous = details.ambiguous ?? false;
    if (details.status !== undefined) this.status = details.status;
    if (details.rpcCode !== undefined) this.rpcCode = details.rpcCode;
    if (details.data !== undefined) this.data = details.data;
    if (details.result !== undefined) this.result = details.result;
    if (details.url !== undefined) this.url = details.url;
    if (details.tool !== undefined) this.tool = details.tool;
  }
}

registerErrorClass(McpClientError);
