/**
 * `resources/list`, `resources/templates/list`, `resources/read`, `resources/subscribe` and
 * `resources/unsubscribe`, for `@resource` methods and the resources an app passes in
 * `McpServerOptions.resources`. A read resolves the URI as: a declared fixed URI, then declared
 * templates in declaration order, then the option's `read(uri)`; nothing is -32002. A subscription
 * is stored with the id of the request that opened it; `svc.mcp.resourceChanged(uri)` then notifies.
 */
import { ArgumentValidationError, checkArgs, runAsync } from '@lumenize/mesh';
import { ReadResourceResultSchema, type RequestId, type Resource, type ResourceTemplate } from '@modelcontextprotocol/sdk/types.js';
import { runAsSession } from './call-context.ts';
import { ErrorCode, rpcError, rpcResult } from './jsonrpc.ts';
import type { ResourceReadExtra, ResourceSpec } from './resource.ts';
import { toContents } from './resource-contents.ts';
import { MAX_SUBSCRIPTIONS, MAX_URI_LENGTH, type Subscriptions } from './subscriptions.ts';
import type { RequestScope } from './tools-call.ts';
import { matchUriTemplate } from './uri-template.ts';

/** A resource as `resources/list` shows it. */
export interface McpResource {
  uri: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
}

/** The resources of a server: listed, and read by URI (`undefined`: no such resource). */
export interface McpResources {
  list(): McpResource[];
  read(uri: string): { uri: string; mimeType?: string; text: string } | undefined;
}

/** What the resource methods of one request work with. */
export interface ResourceScope {
  host: object;
  declared: ResourceSpec[];
  option: McpResources | undefined;
  subscriptions: Subscriptions;
  request: RequestScope;
}

/** MCP's code for "resource not found". */
const RESOURCE_NOT_FOUND = -32002;

/** The URI resolved: a declared resource with its checked variables, the option's, none, or a refusal. */
type Resolved = { spec: ResourceSpec; vars: Record<string, unknown> } | { content: NonNullable<ReturnType<McpResources['read']>> } | 'none' | { refusal: Record<string, unknown> };

function uriOf(params: unknown): string | undefined {
  const uri = typeof params === 'object' && params !== null ? (params as { uri?: unknown }).uri : undefined;
  return typeof uri === 'string' && uri !== '' && uri.length <= MAX_URI_LENGTH ? uri : undefined;
}

function describe(spec: ResourceSpec): Omit<Resource, 'uri'> {
  return { name: spec.name, ...(spec.title ? { title: spec.title } : {}), ...(spec.description ? { description: spec.description } : {}), ...(spec.mimeType ? { mimeType: spec.mimeType } : {}) };
}

async function resolve(scope: ResourceScope, uri: string, id: RequestId): Promise<Resolved> {
  const fixed = scope.declared.find((s) => s.uri === uri);
  if (fixed) return { spec: fixed, vars: {} };
  for (const spec of scope.declared) {
    const match = spec.template ? matchUriTemplate(spec.template, uri) : undefined;
    if (!match) continue;
    const where = { resource: spec.name, uriTemplate: spec.template!.source };
    if ('badEncoding' in match) return { refusal: rpcError(id, ErrorCode.InvalidParams, `Invalid URI for '${spec.name}': variable '${match.badEncoding}' is not valid percent-encoding`, { ...where, variable: match.badEncoding }) };
    if (!spec.schemas) return { spec, vars: match.vars };
    try {
      const [vars] = await runAsync<unknown[]>(checkArgs(spec.schemas, [match.vars]));
      return { spec, vars: vars as Record<string, unknown> };
    } catch (error) {
      if (!(error instanceof ArgumentValidationError)) throw error;
      const variable = typeof error.path[0] === 'string' ? error.path[0] : undefined;
      const message = variable === undefined ? error.message : `Invalid URI variable '${variable}' of '${spec.name}': ${error.issues[0]?.message ?? 'refused by its schema'}`;
      return { refusal: rpcError(id, ErrorCode.InvalidParams, message, { ...where, ...(variable === undefined ? {} : { variable }), path: error.path, issues: error.issues }) };
    }
  }
  const content = scope.option?.read(uri);
  return content ? { content } : 'none';
}

/** Runs a declared resource's method; its return must be contents (else -32603; a throw is -32603 with its message only). */
async function readDeclared(scope: ResourceScope, spec: ResourceSpec, vars: Record<string, unknown>, uri: string): Promise<Record<string, unknown>> {
  const { id, sessionId, originAuth } = scope.request;
  const method = (scope.host as Record<string, unknown>)[spec.method];
  if (typeof method !== 'function') return rpcError(id, ErrorCode.InternalError, `Resource '${spec.name}' has no method`);
  const extra: ResourceReadExtra = Object.freeze({ sessionId, requestId: id, uri, ...(originAuth ? { originAuth: Object.freeze(originAuth) } : {}) });
  let value: unknown;
  try {
    value = await runAsSession(scope.host, sessionId, originAuth, () => method.call(scope.host, Object.freeze(vars), extra));
  } catch (error) {
    return rpcError(id, ErrorCode.InternalError, `Resource '${spec.name}' failed: ${error instanceof Error ? error.message.slice(0, 500) : 'error'}`);
  }
  const contents = toContents(value, uri, spec.mimeType);
  const checked = contents && ReadResourceResultSchema.safeParse({ contents });
  if (!checked?.success) return rpcError(id, ErrorCode.InternalError, `Resource '${spec.name}' returned neither text, { text }, { blob } nor an array of them`);
  return rpcResult(id, checked.data);
}

/** The reply to a `resources/*` method, or `undefined` for one this module does not serve. */
export async function answerResources(scope: ResourceScope, method: string, params: unknown): Promise<Record<string, unknown> | undefined> {
  const { id } = scope.request;
  if (method === 'resources/list') {
    const declared: Resource[] = scope.declared.flatMap((s) => (s.uri === undefined ? [] : [{ uri: s.uri, ...describe(s) }]));
    return rpcResult(id, { resources: [...declared, ...(scope.option?.list() ?? [])] });
  }
  if (method === 'resources/templates/list') {
    const templates: ResourceTemplate[] = scope.declared.flatMap((s) => (s.template === undefined ? [] : [{ uriTemplate: s.template.source, ...describe(s) }]));
    return rpcResult(id, { resourceTemplates: templates });
  }
  if (method !== 'resources/read' && method !== 'resources/subscribe' && method !== 'resources/unsubscribe') return undefined;
  const uri = uriOf(params);
  if (uri === undefined) return rpcError(id, ErrorCode.InvalidParams, `Invalid params: ${method} needs { uri: string } (1..${MAX_URI_LENGTH} characters)`);
  if (method === 'resources/unsubscribe') {
    scope.subscriptions.remove(uri);
    return rpcResult(id, {});
  }
  const resolved = await resolve(scope, uri, id);
  if (resolved === 'none') return rpcError(id, RESOURCE_NOT_FOUND, `Resource not found: ${uri.slice(0, 200)}`, { uri: uri.slice(0, 200) });
  if ('refusal' in resolved) return resolved.refusal;
  if (method === 'resources/read') return 'content' in resolved ? rpcResult(id, { contents: [resolved.content] }) : readDeclared(scope, resolved.spec, resolved.vars, uri);
  if (!scope.subscriptions.add(uri, id)) return rpcError(id, ErrorCode.InvalidParams, `Too many subscriptions: a session holds at most ${MAX_SUBSCRIPTIONS}`);
  return rpcResult(id, {});
}
