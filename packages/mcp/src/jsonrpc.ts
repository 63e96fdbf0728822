/** JSON-RPC 2.0 replies of the MCP server (codes from `@modelcontextprotocol/sdk`'s `ErrorCode`). */
import { ErrorCode, type RequestId } from '@modelcontextprotocol/sdk/types.js';

export { ErrorCode };

/** A JSON-RPC error reply; `id` is `null` when the request's id could not be read. */
export function rpcError(id: RequestId | null, code: number, message: string, data?: unknown): Record<string, unknown> {
  return { jsonrpc: '2.0', id, error: data === undefined ? { code, message } : { code, message, data } };
}

/** A JSON-RPC result reply. */
export function rpcResult(id: RequestId, result: unknown): Record<string, unknown> {
  return { jsonrpc: '2.0', id, result };
}

/** An HTTP response carrying one JSON-RPC message. */
export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
}
