/**
 * `svc.mcp`: the MCP server of one session, running in the session's own Durable Object and
 * speaking MCP Streamable HTTP (POST with JSON replies, `Mcp-Session-Id`, DELETE to end).
 * Messages are checked with `@modelcontextprotocol/sdk`'s schemas; the dispatch, sessions (DO
 * storage) and tool calls are ours. Guide: docs/mcp.md.
 */
import { NadisPlugin } from '@lumenize/mesh';
import { JSONRPCMessageSchema, LATEST_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS, type JSONRPCMessage, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import { callTool, listTools } from './tools-call.ts';
import { ErrorCode, jsonResponse, rpcError, rpcResult } from './jsonrpc.ts';
import { MAX_BODY_BYTES, NEW_SESSION_HEADER, PROTOCOL_HEADER, SESSION_HEADER, SESSION_ID } from './headers.ts';
import { deleteSession, originAuthOf, readSession, writeSession, type McpSession } from './session.ts';
import { toolsOf, type ProgressSink } from './tool.ts';

/** Options of {@link McpServer.fetch}. */
export interface McpServerOptions {
  /** `serverInfo` of the initialize result. */
  serverInfo: { name: string; version: string };
  /** `instructions` of the initialize result. */
  instructions?: string;
  /** A session unused this long is gone (default 30 min). */
  idleTtlMs?: number;
  /** Clock (default `Date.now`); tests drive expiry through it. */
  now?: () => number;
  /** Resources this session serves (`resources/list`, `resources/read`); none when absent. */
  resources?: McpResources;
  /** Accept requests without a verified user (`X-Auth-User-Id`); default false: they get 401. */
  allowAnonymous?: boolean;
}

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

const DEFAULT_TTL_MS = 30 * 60 * 1000;

interface Caller {
  userId: string | null;
  claims?: Record<string, unknown>;
}

function readCaller(request: Request): Caller | undefined {
  const userId = request.headers.get('X-Auth-User-Id');
  if (!userId || request.headers.get('X-Auth-Verified') !== 'true') return undefined;
  const raw = request.headers.get('X-Auth-Claims');
  if (!raw) return { userId };
  try {
    const claims = JSON.parse(raw) as unknown;
    return typeof claims === 'object' && claims !== null && !Array.isArray(claims) ? { userId, claims: claims as Record<string, unknown> } : { userId };
  } catch {
    return { userId };
  }
}

/** The MCP server of this DO's session. */
export class McpServer extends NadisPlugin {
  /**
   * Answers one MCP Streamable HTTP request (routed here by `routeMcpRequest`).
   * @example override async fetch(req: Request) { return this.svc.mcp.fetch(req, { serverInfo: { name: 'demo', version: '1.0.0' } }); }
   */
  async fetch(request: Request, options: McpServerOptions): Promise<Response> {
    const response = await this.#answer(request, options);
    // An early refusal leaves the body unread; drain it so the runtime does not log a stream error.
    if (!request.bodyUsed) await request.body?.cancel().catch(() => {});
    return response;
  }

  async #answer(request: Request, options: McpServerOptions): Promise<Response> {
    const identity = learnIdentity(this.doInstance, request);
    if (identity) return identity;
    const caller = readCaller(request);
    if (!caller && !options.allowAnonymous) return jsonResponse(rpcError(null, ErrorCode.InvalidRequest, 'Unauthorized: a verified bearer token is required'), 401, { 'WWW-Authenticate': 'Bearer' });
    const who: Caller = caller ?? { userId: null };
    if (request.method === 'DELETE') return this.#end(request, who);
    if (request.method !== 'POST') return new Response('Method Not Allowed: this server answers POST (JSON replies) and DELETE', { status: 405, headers: { Allow: 'POST, DELETE' } });
    if (!(request.headers.get('Content-Type') ?? '').toLowerCase().startsWith('application/json')) {
      return jsonResponse(rpcError(null, ErrorCode.InvalidRequest, 'Unsupported Media Type: Content-Type must be application/json'), 415);
    }
    const text = await request.text();
    if (text.length > MAX_BODY_BYTES) return jsonResponse(rpcError(null, ErrorCode.InvalidRequest, `Request body larger than ${MAX_BODY_BYTES} bytes`), 413);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return jsonResponse(rpcError(null, ErrorCode.ParseError, 'Parse error: the body is not JSON'), 400);
    }
    const parsed = JSONRPCMessageSchema.safeParse(body);
    if (!parsed.success) return jsonResponse(rpcError(idOf(body), ErrorCode.InvalidRequest, 'Invalid Request: not a single JSON-RPC 2.0 message (batches are not accepted)'), 400);
    const message = parsed.data;
    const now = (options.now ?? Date.now)();
    if ('method' in message && message.method === 'initialize') return this.#initialize(request, message, who, options, now);
    const session = this.#session(request, who, now);
    if (session instanceof Response) return session;
    const version = request.headers.get(PROTOCOL_HEADER);
    if (version !== null && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
      return jsonResponse(rpcError(null, ErrorCode.InvalidRequest, `Unsupported ${PROTOCOL_HEADER}: ${version}`), 400);
    }
    session.expiresAt = now + (options.idleTtlMs ?? DEFAULT_TTL_MS);
    writeSession(this.ctx.storage.kv, session);
    if (!('method' in message) || !('id' in message)) return new Response(null, { status: 202 });
    const token = progressTokenOf(message.params);
    if (message.method === 'tools/call' && token !== undefined && (request.headers.get('Accept') ?? '').includes('text/event-stream')) {
      return this.#streamed(session, message.id, message.params, token);
    }
    const reply = await this.#dispatch(session, message.method, message.id, message.params, options.resources, noProgress);
    return jsonResponse(reply, 200, { [SESSION_HEADER]: session.id });
  }

  /** Ends the session now, as expiry does (tests; an app's own "log out everywhere"). */
  expire(): void {
    deleteSession(this.ctx.storage.kv);
  }

  #initialize(request: Request, message: JSONRPCMessage, who: Caller, options: McpServerOptions, now: number): Response {
    const id: RequestId | null = 'id' in message && (typeof message.id === 'string' || typeof message.id === 'number') ? message.id : null;
    const sessionId = request.headers.get(NEW_SESSION_HEADER);
    if (id === null) return jsonResponse(rpcError(null, ErrorCode.InvalidRequest, 'initialize must be a request (with an id)'), 400);
    if (!sessionId || !SESSION_ID.test(sessionId) || request.headers.has(SESSION_HEADER) || readSession(this.ctx.storage.kv)) {
      return jsonResponse(rpcError(id, ErrorCode.InvalidRequest, 'Invalid Request: initialize opens a new session; send it without Mcp-Session-Id'), 400);
    }
    const params = 'params' in message ? (message.params as { protocolVersion?: unknown } | undefined) : undefined;
    const asked = params?.protocolVersion;
    const protocolVersion = typeof asked === 'string' && SUPPORTED_PROTOCOL_VERSIONS.includes(asked) ? asked : LATEST_PROTOCOL_VERSION;
    const session: McpSession = { v: 1, id: sessionId, protocolVersion, userId: who.userId, expiresAt: now + (options.idleTtlMs ?? DEFAULT_TTL_MS) };
    if (who.claims) session.claims = who.claims;
    writeSession(this.ctx.storage.kv, session);
    const result = {
      protocolVersion,
      capabilities: { tools: { listChanged: false }, ...(options.resources ? { resources: { listChanged: false } } : {}) },
      serverInfo: options.serverInfo,
      ...(options.instructions ? { instructions: options.instructions } : {}),
    };
    return jsonResponse(rpcResult(id, result), 200, { [SESSION_HEADER]: sessionId });
  }

  /** The live session this request belongs to, or the HTTP answer refusing it. */
  #session(request: Request, who: Caller, now: number): McpSession | Response {
    const header = request.headers.get(SESSION_HEADER);
    if (!header) return jsonResponse(rpcError(null, ErrorCode.InvalidRequest, `Bad Request: ${SESSION_HEADER} header is required after initialize`), 400);
    const session = readSession(this.ctx.storage.kv);
    if (session && session.expiresAt <= now) deleteSession(this.ctx.storage.kv);
    if (!session || session.id !== header || session.expiresAt <= now) {
      return jsonResponse(rpcError(null, ErrorCode.InvalidRequest, 'Session not found or expired: initialize a new session'), 404);
    }
    if (session.userId !== who.userId) return jsonResponse(rpcError(null, ErrorCode.InvalidRequest, 'Forbidden: this session belongs to another user'), 403);
    return session;
  }

  #end(request: Request, who: Caller): Response {
    const session = this.#session(request, who, Number.NEGATIVE_INFINITY);
    if (session instanceof Response) return session;
    deleteSession(this.ctx.storage.kv);
    return new Response(null, { status: 204 });
  }

  /**
   * A `tools/call` with a progress token: the reply is an SSE stream carrying the tool's
   * `notifications/progress` as they happen, then the result, then the stream ends.
   */
  #streamed(session: McpSession, id: RequestId, params: unknown, token: string | number): Response {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    const encoder = new TextEncoder();
    const send = (message: unknown) => writer.write(encoder.encode(`event: message\ndata: ${JSON.stringify(message)}\n\n`)).catch(() => {});
    const progress: ProgressSink = (value, total, text) => {
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new TypeError('progress(value): value must be a finite number');
      const note: Record<string, unknown> = { progressToken: token, progress: value };
      if (typeof total === 'number' && Number.isFinite(total)) note.total = total;
      if (typeof text === 'string') note.message = text.slice(0, 500);
      void send({ jsonrpc: '2.0', method: 'notifications/progress', params: note });
    };
    const run = this.#dispatch(session, 'tools/call', id, params, undefined, progress)
      .catch((error: unknown) => rpcError(id, ErrorCode.InternalError, error instanceof Error ? error.message : 'Internal error'))
      .then(async (reply) => {
        await send(reply);
        await writer.close().catch(() => {});
      });
    this.ctx.waitUntil(run);
    return new Response(readable, { status: 200, headers: { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', [SESSION_HEADER]: session.id } });
  }

  async #dispatch(session: McpSession, method: string, id: RequestId, params: unknown, resources: McpResources | undefined, progress: ProgressSink): Promise<Record<string, unknown>> {
    if (resources && method === 'resources/list') return rpcResult(id, { resources: resources.list() });
    if (resources && method === 'resources/read') {
      const uri = typeof params === 'object' && params !== null ? (params as { uri?: unknown }).uri : undefined;
      if (typeof uri !== 'string') return rpcError(id, ErrorCode.InvalidParams, 'Invalid params: resources/read needs { uri: string }');
      const content = resources.read(uri);
      // -32002 is the MCP code for "resource not found".
      return content ? rpcResult(id, { contents: [content] }) : rpcError(id, -32002, `Resource not found: ${uri.slice(0, 200)}`, { uri: uri.slice(0, 200) });
    }
    switch (method) {
      case 'ping':
        return rpcResult(id, {});
      case 'tools/list':
        return rpcResult(id, { tools: listTools(toolsOf(this.doInstance)) });
      case 'tools/call':
        return callTool(this.doInstance, toolsOf(this.doInstance), session.id, originAuthOf(session), id, params, progress);
      default:
        // The session stays: a capability probe for a method we lack must not end it.
        return rpcError(id, ErrorCode.MethodNotFound, `Method not found: ${method.slice(0, 100)}`);
    }
  }
}

/** Passes `routeMcpRequest`'s routing headers to LumenizeDO's identity; a mismatch is a 500. */
function learnIdentity(host: object, request: Request): Response | undefined {
  const lmz = (host as { lmz?: { init?: (o: { bindingName?: string; instanceNameOrId?: string }) => void } }).lmz;
  const bindingName = request.headers.get('X-Lumenize-DO-Binding-Name') ?? undefined;
  const instanceNameOrId = request.headers.get('X-Lumenize-DO-Instance-Name-Or-Id') ?? undefined;
  try {
    lmz?.init?.({ bindingName, instanceNameOrId });
    return undefined;
  } catch (error) {
    return new Response(error instanceof Error ? error.message : 'identity mismatch', { status: 500 });
  }
}

const noProgress: ProgressSink = () => {};

/** `params._meta.progressToken` when it is a string or a number. */
function progressTokenOf(params: unknown): string | number | undefined {
  const meta = typeof params === 'object' && params !== null ? (params as { _meta?: unknown })._meta : undefined;
  const token = typeof meta === 'object' && meta !== null ? (meta as { progressToken?: unknown }).progressToken : undefined;
  return typeof token === 'string' || typeof token === 'number' ? token : undefined;
}

function idOf(body: unknown): RequestId | null {
  const id = typeof body === 'object' && body !== null ? (body as { id?: unknown }).id : undefined;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}

NadisPlugin.register('mcp', McpServer);

declare global {
  interface LumenizeServices {
    /** The MCP server of this session DO (`import '@lumenize/mcp'`). */
    mcp: McpServer;
  }
}
