/** Options and wire shapes of the MCP client. */
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';

export type { CallToolResult as McpCallToolResult, Tool as McpTool };

/** Options of `this.svc.mcp.client(url, options)`. */
export interface McpClientOptions {
  /** Sent as `Authorization: Bearer <token>` on every request. Never stored; not logged. */
  bearerToken?: string;
  /** Extra request headers (e.g. an API key header). At most 32; no `Authorization` with `bearerToken`. */
  headers?: Record<string, string>;
  /** Time for the whole exchange (initialize + request), ms. Default 30 s, at most 5 min. */
  timeout?: number;
  /** Cap on all response bytes of one exchange. Default 1 MiB, at most 16 MiB. */
  maxResponseBytes?: number;
  /** Name of a Fetcher (service binding) in `env` that carries the HTTP requests instead of global `fetch`. */
  outboundBinding?: string;
  /** Binding of `McpClientExecutor` (DOs only). Default `MCP_CLIENT_EXECUTOR`. */
  executorBinding?: string;
  /** Extra time after `timeout` before the origin DO's watchdog answers `TIMEOUT`, ms (DOs only). Default 5 s. */
  watchdogGraceMs?: number;
}

/** One client operation. */
export type McpOperation = { kind: 'listTools' } | { kind: 'callTool'; name: string; arguments: Record<string, unknown> };

/** What the origin DO hands to `McpClientExecutor.executeMcp` (validated there: it came over RPC). */
export interface McpClientMessage {
  v: 1;
  reqId: string;
  originBinding: string;
  originId: string;
  url: string;
  operation: McpOperation;
  headers: Record<string, string>;
  timeout: number;
  maxResponseBytes: number;
  outboundBinding?: string;
}

/** Options after defaults, checked. */
export interface ResolvedClientOptions {
  headers: Record<string, string>;
  timeout: number;
  maxResponseBytes: number;
  outboundBinding?: string;
  executorBinding: string;
  watchdogGraceMs: number;
}
