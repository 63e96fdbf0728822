/**
 * Input checks of the MCP client. Origin-side checks throw before anything is stored, scheduled or
 * sent; `checkMessage` re-checks the hand-off in the executor (it arrived over RPC: data, not trust).
 */
import { getOperationChain, isContinuation, type AnyContinuation, type OperationChain } from '@lumenize/mesh';
import {
  DEFAULT_CLIENT_EXECUTOR_BINDING,
  DEFAULT_CLIENT_TIMEOUT_MS,
  DEFAULT_CLIENT_WATCHDOG_GRACE_MS,
  DEFAULT_MAX_RESPONSE_BYTES,
  MAX_ARGUMENTS_CHARS,
  MAX_CLIENT_HEADERS,
  MAX_CLIENT_TIMEOUT_MS,
  MAX_RESPONSE_BYTES_LIMIT,
  MAX_TOOL_NAME_LENGTH,
} from './limits.ts';
import type { McpClientMessage, McpClientOptions, ResolvedClientOptions } from './types.ts';

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const RESERVED_HEADERS = new Set(['content-type', 'accept', 'mcp-session-id', 'mcp-protocol-version', 'content-length', 'host', 'last-event-id']);

/** The server URL, checked: absolute http(s), no credentials in it. */
export function checkServerUrl(url: unknown): string {
  if (typeof url !== 'string') throw new TypeError(`svc.mcp.client(url): url must be an absolute http(s) URL string, got ${url === null ? 'null' : typeof url}`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`svc.mcp.client(url): '${url.slice(0, 200)}' is not an absolute URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new TypeError(`svc.mcp.client(url): scheme '${parsed.protocol}' is not allowed; only http: and https:`);
  if (parsed.username !== '' || parsed.password !== '') throw new TypeError('svc.mcp.client(url): credentials in the URL are refused; pass options.bearerToken or options.headers');
  return parsed.href;
}

function millis(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(`svc.mcp.client: options.${name} must be a number from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

function bindingName(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) throw new TypeError(`svc.mcp.client: options.${name} must be a binding name (letters, digits, _), got ${String(value)}`);
  return value;
}

/** Options with defaults applied; throws a clear error for each bad field. */
export function resolveClientOptions(options: McpClientOptions | undefined): ResolvedClientOptions {
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) throw new TypeError('svc.mcp.client: options must be an object');
  const o = options ?? {};
  const headers: Record<string, string> = {};
  if (o.headers !== undefined) {
    if (typeof o.headers !== 'object' || o.headers === null || Array.isArray(o.headers)) throw new TypeError('svc.mcp.client: options.headers must be an object of header name → string');
    const entries = Object.entries(o.headers);
    if (entries.length > MAX_CLIENT_HEADERS) throw new RangeError(`svc.mcp.client: options.headers has ${entries.length} entries; at most ${MAX_CLIENT_HEADERS}`);
    for (const [name, value] of entries) {
      if (!HEADER_NAME.test(name)) throw new TypeError(`svc.mcp.client: options.headers: '${name.slice(0, 100)}' is not a valid header name`);
      if (RESERVED_HEADERS.has(name.toLowerCase())) throw new TypeError(`svc.mcp.client: options.headers: '${name}' is set by the MCP transport and cannot be overridden`);
      if (typeof value !== 'string' || /[\r\n\0]/.test(value)) throw new TypeError(`svc.mcp.client: options.headers['${name}'] must be a string without CR, LF or NUL`);
      headers[name] = value;
    }
  }
  if (o.bearerToken !== undefined) {
    if (typeof o.bearerToken !== 'string' || o.bearerToken === '' || /[\s\0]/.test(o.bearerToken)) throw new TypeError('svc.mcp.client: options.bearerToken must be a non-empty string without whitespace');
    if (Object.keys(headers).some((n) => n.toLowerCase() === 'authorization')) throw new TypeError('svc.mcp.client: pass either options.bearerToken or an Authorization header, not both');
    headers.Authorization = `Bearer ${o.bearerToken}`;
  }
  const resolved: ResolvedClientOptions = {
    headers,
    timeout: millis('timeout', o.timeout, DEFAULT_CLIENT_TIMEOUT_MS, 1, MAX_CLIENT_TIMEOUT_MS),
    maxResponseBytes: millis('maxResponseBytes', o.maxResponseBytes, DEFAULT_MAX_RESPONSE_BYTES, 1, MAX_RESPONSE_BYTES_LIMIT),
    executorBinding: bindingName('executorBinding', o.executorBinding) ?? DEFAULT_CLIENT_EXECUTOR_BINDING,
    watchdogGraceMs: millis('watchdogGraceMs', o.watchdogGraceMs, DEFAULT_CLIENT_WATCHDOG_GRACE_MS, 0, MAX_CLIENT_TIMEOUT_MS),
  };
  const outbound = bindingName('outboundBinding', o.outboundBinding);
  if (outbound !== undefined) resolved.outboundBinding = outbound;
  return resolved;
}

/** The handler chain of a continuation made with `this.ctn()`; throws for anything else. */
export function checkHandler(handler: unknown, what: string): OperationChain {
  if (!isContinuation(handler)) throw new TypeError(`${what}: handler must be a continuation made with this.ctn(), e.g. this.ctn().onTools(this.ctn().$result)`);
  const chain = getOperationChain(handler as AnyContinuation)!;
  if (!chain.some((op) => op.type === 'apply')) throw new TypeError(`${what}: the handler must call a method, e.g. this.ctn().onResult(this.ctn().$result)`);
  return chain;
}

export function checkToolName(name: unknown): string {
  if (typeof name !== 'string' || name === '' || name.length > MAX_TOOL_NAME_LENGTH) {
    throw new TypeError(`callTool(name): name must be a non-empty string of at most ${MAX_TOOL_NAME_LENGTH} characters`);
  }
  return name;
}

/** Tool arguments: a plain JSON object within the size limit (they travel as JSON). */
export function checkArguments(args: unknown): Record<string, unknown> {
  if (args === undefined) return {};
  if (typeof args !== 'object' || args === null || Array.isArray(args)) throw new TypeError('callTool(name, args): args must be a plain object (the tool\'s named arguments)');
  let json: string;
  try {
    json = JSON.stringify(args);
  } catch (error) {
    throw new TypeError(`callTool(name, args): args must be JSON-serializable: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (json.length > MAX_ARGUMENTS_CHARS) throw new RangeError(`callTool(name, args): args are ${json.length} JSON characters; at most ${MAX_ARGUMENTS_CHARS}`);
  // What the server sees is the JSON form; hand the executor exactly that.
  return JSON.parse(json) as Record<string, unknown>;
}

/** Re-checks a hand-off that arrived over RPC. */
export function checkMessage(message: unknown): McpClientMessage {
  const m = message as Partial<McpClientMessage> | null;
  const bad = (what: string) => new TypeError(`executeMcp: invalid message: ${what}`);
  if (typeof m !== 'object' || m === null || m.v !== 1) throw bad('expected a version-1 object');
  for (const key of ['reqId', 'originBinding', 'originId'] as const) if (typeof m[key] !== 'string' || m[key] === '') throw bad(`${key} must be a non-empty string`);
  checkServerUrl(m.url);
  const op = m.operation;
  if (typeof op !== 'object' || op === null || (op.kind !== 'listTools' && op.kind !== 'callTool')) throw bad('operation.kind must be listTools or callTool');
  if (op.kind === 'callTool') {
    checkToolName(op.name);
    checkArguments(op.arguments);
  }
  if (typeof m.timeout !== 'number' || typeof m.maxResponseBytes !== 'number') throw bad('timeout and maxResponseBytes must be numbers');
  // The same limits as at the call site (a hand-off is data, whoever sent it).
  resolveClientOptions({ headers: m.headers, timeout: m.timeout, maxResponseBytes: m.maxResponseBytes, outboundBinding: m.outboundBinding });
  return m as McpClientMessage;
}
