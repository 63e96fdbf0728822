/**
 * `prompts/list` and `prompts/get`: arguments are checked against the prompt's schema before the
 * method runs (a refusal is `-32602` naming the prompt, the argument and the path); the method's
 * return is checked with the SDK's `GetPromptResultSchema` before it is sent.
 */
import { ArgumentValidationError, checkArgs, runAsync } from '@lumenize/mesh';
import { GetPromptResultSchema, type Prompt } from '@modelcontextprotocol/sdk/types.js';
import { runAsSession } from './call-context.ts';
import { ErrorCode, rpcError, rpcResult } from './jsonrpc.ts';
import type { PromptGetExtra, PromptSpec } from './prompt.ts';
import { isPlainObject } from './schema-describe.ts';
import type { RequestScope } from './tools-call.ts';

export function listPrompts(prompts: Map<string, PromptSpec>): Prompt[] {
  return [...prompts.values()].map((p) => ({
    name: p.name,
    ...(p.title ? { title: p.title } : {}),
    description: p.description,
    arguments: p.arguments,
  }));
}

export async function getPrompt(host: object, prompts: Map<string, PromptSpec>, scope: RequestScope, params: unknown): Promise<Record<string, unknown>> {
  const { id } = scope;
  if (!isPlainObject(params) || typeof params.name !== 'string') return rpcError(id, ErrorCode.InvalidParams, 'Invalid params: prompts/get needs { name: string, arguments?: object }');
  const spec = prompts.get(params.name);
  if (!spec) return rpcError(id, ErrorCode.InvalidParams, `Unknown prompt: ${params.name.slice(0, 128)}`);
  let values: unknown[];
  try {
    values = await runAsync<unknown[]>(checkArgs(spec.schemas, [params.arguments ?? {}]));
  } catch (error) {
    if (error instanceof ArgumentValidationError) {
      return rpcError(id, ErrorCode.InvalidParams, error.message, { prompt: spec.name, argIndex: error.argIndex, path: error.path, issues: error.issues });
    }
    throw error;
  }
  const method = (host as Record<string, unknown>)[spec.method];
  if (typeof method !== 'function') return rpcError(id, ErrorCode.InternalError, `Prompt '${spec.name}' has no method`);
  const extra: PromptGetExtra = Object.freeze({ sessionId: scope.sessionId, requestId: id, ...(scope.originAuth ? { originAuth: Object.freeze(scope.originAuth) } : {}) });
  let value: unknown;
  try {
    value = await runAsSession(host, scope.sessionId, scope.originAuth, () => method.call(host, values[0], extra));
  } catch (error) {
    return rpcError(id, ErrorCode.InternalError, `Prompt '${spec.name}' failed: ${error instanceof Error ? error.message.slice(0, 500) : 'error'}`);
  }
  const result = typeof value === 'string' ? { description: spec.description, messages: [{ role: 'user', content: { type: 'text', text: value } }] } : value;
  const checked = GetPromptResultSchema.safeParse(result);
  if (!checked.success) return rpcError(id, ErrorCode.InternalError, `Prompt '${spec.name}' returned neither a string nor { messages: PromptMessage[] }`);
  return rpcResult(id, checked.data);
}
