/**
 * `tools/list` and `tools/call`: arguments are checked against the tool's schema before the method
 * runs (a refusal is JSON-RPC `-32602` naming the tool, the argument and the path); the method runs
 * under the session's call context and gets `{ originAuth, sessionId, requestId, progress, signal }`
 * as its second argument; a throw is a tool error result.
 */
import { ArgumentValidationError, checkArgs, runAsync, type OriginAuth } from '@lumenize/mesh';
import type { CallToolResult, RequestId, Tool } from '@modelcontextprotocol/sdk/types.js';
import { runAsSession } from './call-context.ts';
import { ErrorCode, rpcError, rpcResult } from './jsonrpc.ts';
import { isPlainObject } from './schema-describe.ts';
import type { ProgressSink, ToolCallExtra, ToolSpec } from './tool.ts';

/** What one request runs with. */
export interface RequestScope {
  sessionId: string;
  originAuth: OriginAuth | undefined;
  id: RequestId;
  progress: ProgressSink;
  signal: AbortSignal;
}

export function listTools(tools: Map<string, ToolSpec>): Tool[] {
  return [...tools.values()].map((t) => ({
    name: t.name,
    ...(t.title ? { title: t.title } : {}),
    description: t.description,
    inputSchema: t.inputSchema as Tool['inputSchema'],
  }));
}

/** A tool's return value as an MCP result: text for a string, JSON text (+ structuredContent) otherwise. */
function toResult(value: unknown): CallToolResult {
  if (value === undefined) return { content: [] };
  if (typeof value === 'string') return { content: [{ type: 'text', text: value }] };
  const text = JSON.stringify(value) ?? String(value);
  return isPlainObject(value) ? { content: [{ type: 'text', text }], structuredContent: value } : { content: [{ type: 'text', text }] };
}

export async function callTool(host: object, tools: Map<string, ToolSpec>, scope: RequestScope, params: unknown): Promise<Record<string, unknown>> {
  const { id } = scope;
  if (!isPlainObject(params) || typeof params.name !== 'string') return rpcError(id, ErrorCode.InvalidParams, 'Invalid params: tools/call needs { name: string, arguments?: object }');
  const spec = tools.get(params.name);
  if (!spec) return rpcError(id, ErrorCode.InvalidParams, `Unknown tool: ${params.name.slice(0, 128)}`);
  const args = params.arguments ?? {};
  let values: unknown[];
  try {
    values = await runAsync<unknown[]>(checkArgs(spec.schemas, [args]));
  } catch (error) {
    if (error instanceof ArgumentValidationError) {
      return rpcError(id, ErrorCode.InvalidParams, error.message, { tool: spec.name, argIndex: error.argIndex, path: error.path, issues: error.issues });
    }
    throw error;
  }
  const method = (host as Record<string, unknown>)[spec.method];
  if (typeof method !== 'function') return rpcError(id, ErrorCode.InternalError, `Tool '${spec.name}' has no method`);
  try {
    const extra: ToolCallExtra = Object.freeze({ sessionId: scope.sessionId, requestId: id, progress: scope.progress, signal: scope.signal, ...(scope.originAuth ? { originAuth: Object.freeze(scope.originAuth) } : {}) });
    const value: unknown = await runAsSession(host, scope.sessionId, scope.originAuth, () => method.call(host, values[0], extra));
    return rpcResult(id, toResult(value));
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : 'Tool failed';
    return rpcResult(id, { content: [{ type: 'text', text: message }], isError: true } satisfies CallToolResult);
  }
}
