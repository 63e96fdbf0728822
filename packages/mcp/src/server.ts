/**
 * `svc.mcp`: the MCP server of one session, running in the session's own Durable Object and
 * speaking MCP Streamable HTTP (POST with JSON or SSE replies, the GET stream, `Last-Event-ID`
 * resume, `Mcp-Session-Id`, DELETE to end). Messages are checked with `@modelcontextprotocol/sdk`'s
 * schemas; the dispatch, sessions and events (DO storage) and tool calls are ours. Guide: docs/mcp.md.
 */
import { NadisPlugin } from '@lumenize/mesh';
import { JSONRPCMessageSchema, LATEST_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS, type JSONRPCMessage, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import { InFlight } from './cancel.ts';
import { EVENT_TTL_MS, EventStore, MAX_STORED_EVENTS, STANDALONE } from './event-store.ts';
import { MAX_BODY_BYTES, NEW_SESSION_HEADER, PROTOCOL_HEADER, SESSION_HEADER, SESSION_ID } from './headers.ts';
import { ErrorCode, jsonResponse, rpcError, rpcResult } from './jsonrpc.ts';
import { promptsOf } from './prompt.ts';
import { getPrompt, listPrompts } from './prompts-get.ts';
import { resourcesOf } from './resource.ts';
import { answerResources, type McpResources } from './resources.ts';
import { deleteSession, originAuthOf, readSession, writeSession, type McpSession } from './session.ts';
import { SSE_HEADERS, Streams } from './stream.ts';
import { Subscriptions, type McpSubscription } from './subscriptions.ts';
import { toolsOf, type ProgressSink } from './tool.ts';
import { McpClient, type McpClientOptions } from './client/index.ts';
import { callTool, listTools, type RequestScope } from './tools-call.ts';

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
  /** Resources served besides the `@resource` methods (`resources/list`, `resources/read`); none when absent. */
  resources?: McpResources;
  /** Accept requests without a verified user (`X-Auth-User-Id`); default false: they get 401. */
  allowAnonymous?: boolean;
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
  // Built on first use: a DO that only uses `svc.mcp.client(url)` gets no server tables.
  #eventStore: EventStore | undefined;
  #streamSet: Streams | undefined;
  #subscriptionStore: Subscriptions | undefined;
  readonly #inFlight = new InFlight();
  /** POST streams whose request is still running (a resume attaches to them; others replay and end). */
  readonly #running = new Set<string>();
  /** The clock of the last `fetch`'s options (events written outside a request use it too). */
  #clock: () => number = Date.now;

  get #events(): EventStore {
    return (this.#eventStore ??= new EventStore(this.ctx.storage.sql));
  }

  get #streams(): Streams {
    return (this.#streamSet ??= new Streams(this.#events, this.ctx.storage.kv, () => this.#clock()));
  }

  get #subscriptions(): Subscriptions {
    return (this.#subscriptionStore ??= new Subscriptions(this.ctx.storage.sql));
  }

  /**
   * Answers one MCP Streamable HTTP request (routed here by `routeMcpRequest`).
   * @example override async fetch(req: Request) { return this.svc.mcp.fetch(req, { serverInfo: { name: 'demo', version: '1.0.0' } }); }
   */
  async fetch(request: Request, options: McpServerOptions): Promise<Response> {
    this.#clock = options.now ?? Date.now;
    const response = await this.#answer(request, options);
    // An early refusal leaves the body unread; drain it so the runtime does not log a stream error.
    if (!request.bodyUsed) await request.body?.cancel().catch(() => {});
    return response;
  }

  /**
   * Tells a subscribed client that resource `uri` changed (`notifications/resources/updated` on the
   * GET stream, stored for replay). `false` when this session has no subscription to `uri`.
   * @example this.svc.mcp.resourceChanged('notes://today');
   */
  resourceChanged(uri: string): boolean {
    if (typeof uri !== 'string' || uri === '') throw new TypeError('resourceChanged(uri): uri must be a non-empty string');
    if (!readSession(this.ctx.storage.kv) || !this.#subscriptions.has(uri)) return false;
    this.#streams.emit(STANDALONE, { jsonrpc: '2.0', method: 'notifications/resources/updated', params: { uri } });
    return true;
  }

  /**
   * Sends a server notification on the session's GET stream (stored for replay when no stream is
   * open); `false` when there is no live session.
   * @example this.svc.mcp.notify('notifications/tools/list_changed');
   */
  notify(method: string, params?: Record<string, unknown>): boolean {
    if (typeof method !== 'string' || !method.startsWith('notifications/')) throw new TypeError("notify(method): method must be a string starting with 'notifications/'");
    if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) throw new TypeError('notify(method, params): params must be an object');
    if (!readSession(this.ctx.storage.kv)) return false;
    this.#streams.emit(STANDALONE, params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params });
    return true;
  }

  /** This session's resource subscriptions, each with the id of the request that opened it. */
  subscriptions(): McpSubscription[] {
    return this.#subscriptions.list();
  }

  /** Ends the session now, as expiry does (tests; an app's own "log out everywhere"). */
  expire(): void {
    this.#forget();
  }

  async #answer(request: Request, options: McpServerOptions): Promise<Response> {
    const identity = learnIdentity(this.doInstance, request);
    if (identity) return identity;
    const caller = readCaller(request);
    if (!caller && !options.allowAnonymous) return jsonResponse(rpcError(null, ErrorCode.InvalidRequest, 'Unauthorized: a verified bearer token is required'), 401, { 'WWW-Authenticate': 'Bearer' });
    const who: Caller = caller ?? { userId: null };
    if (request.method === 'DELETE') return this.#end(request, who);
    if (request.method === 'GET') return this.#get(request, who, options);
    if (request.method !== 'POST') return new Response('Method Not Allowed: this server answers GET (SSE stream), POST and DELETE', { status: 405, headers: { Allow: 'GET, POST, DELETE' } });
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
    const now = this.#clock();
    if ('method' in message && message.method === 'initialize') return this.#initialize(request, message, who, options, now);
    const session = this.#live(request, who, now, options);
    if (session instanceof Response) return session;
    if (!('method' in message) || !('id' in message)) {
      if ('method' in message && message.method === 'notifications/cancelled') this.#inFlight.cancel(message.params);
      return new Response(null, { status: 202 });
    }
    const token = progressTokenOf(message.params);
    if (message.method === 'tools/call' && token !== undefined && acceptsSse(request)) return this.#streamed(session, message.id, message.params, token, options);
    const signal = this.#inFlight.start(message.id);
    try {
      const reply = await this.#dispatch(session, message.method, message.id, message.params, options, noProgress, signal);
      // Cancelled: no response for it (MCP); an empty event stream answers the HTTP request.
      if (signal.aborted) return new Response('', { status: 200, headers: { ...SSE_HEADERS, [SESSION_HEADER]: session.id } });
      return jsonResponse(reply, 200, { [SESSION_HEADER]: session.id });
    } finally {
      this.#inFlight.finish(message.id, signal);
    }
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
      capabilities: {
        tools: { listChanged: false },
        ...(this.#servesResources(options) ? { resources: { subscribe: true, listChanged: false } } : {}),
        ...(promptsOf(this.doInstance).size > 0 ? { prompts: { listChanged: false } } : {}),
      },
      serverInfo: options.serverInfo,
      ...(options.instructions ? { instructions: options.instructions } : {}),
    };
    return jsonResponse(rpcResult(id, result), 200, { [SESSION_HEADER]: sessionId });
  }

  /** The session of a non-initialize request, its version header checked and its expiry moved; or the refusal. */
  #live(request: Request, who: Caller, now: number, options: McpServerOptions): McpSession | Response {
    const session = this.#session(request, who, now);
    if (session instanceof Response) return session;
    const version = request.headers.get(PROTOCOL_HEADER);
    if (version !== null && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
      return jsonResponse(rpcError(null, ErrorCode.InvalidRequest, `Unsupported ${PROTOCOL_HEADER}: ${version.slice(0, 50)}`), 400);
    }
    session.expiresAt = now + (options.idleTtlMs ?? DEFAULT_TTL_MS);
    writeSession(this.ctx.storage.kv, session);
    return session;
  }

  /** The live session this request belongs to, or the HTTP answer refusing it. */
  #session(request: Request, who: Caller, now: number): McpSession | Response {
    const header = request.headers.get(SESSION_HEADER);
    if (!header) return jsonResponse(rpcError(null, ErrorCode.InvalidRequest, `Bad Request: ${SESSION_HEADER} header is required after initialize`), 400);
    const session = readSession(this.ctx.storage.kv);
    if (session && session.expiresAt <= now) this.#forget();
    if (!session || session.id !== header || session.expiresAt <= now) {
      return jsonResponse(rpcError(null, ErrorCode.InvalidRequest, 'Session not found or expired: initialize a new session'), 404);
    }
    if (session.userId !== who.userId) return jsonResponse(rpcError(null, ErrorCode.InvalidRequest, 'Forbidden: this session belongs to another user'), 403);
    return session;
  }

  #end(request: Request, who: Caller): Response {
    const session = this.#session(request, who, Number.NEGATIVE_INFINITY);
    if (session instanceof Response) return session;
    this.#forget();
    return new Response(null, { status: 204 });
  }

  /** Deletes the session, its stored events and subscriptions, and ends its open streams. */
  #forget(): void {
    deleteSession(this.ctx.storage.kv);
    this.#events.clear();
    this.#subscriptions.clear();
    this.#streams.endAll();
  }

  /**
   * `GET`: the standalone SSE stream (server notifications; one at a time), or with `Last-Event-ID`
   * the resume of any stream: what it sent after the id is replayed from storage, then it goes live.
   */
  #get(request: Request, who: Caller, options: McpServerOptions): Response {
    if (!acceptsSse(request)) return new Response('Not Acceptable: a GET must accept text/event-stream', { status: 406 });
    const now = this.#clock();
    const session = this.#live(request, who, now, options);
    if (session instanceof Response) return session;
    const headers = { ...SSE_HEADERS, [SESSION_HEADER]: session.id };
    const last = request.headers.get('Last-Event-ID');
    if (last === null) {
      if (this.#streams.isOpen(STANDALONE)) return jsonResponse(rpcError(null, ErrorCode.InvalidRequest, 'Conflict: this session already has a GET stream open; resume with Last-Event-ID'), 409);
      // Starts with the notifications sent while no GET stream was open.
      return new Response(this.#streams.open(STANDALONE, this.#streams.undelivered()), { status: 200, headers });
    }
    const seq = /^\d{1,15}$/.test(last) ? Number(last) : Number.NaN;
    const stream = Number.isSafeInteger(seq) ? this.#events.streamOf(seq, now) : undefined;
    if (stream === undefined) {
      return jsonResponse(rpcError(null, ErrorCode.InvalidRequest, `Bad Request: Last-Event-ID '${last.slice(0, 20)}' is unknown or older than the replay window (${MAX_STORED_EVENTS} events, ${EVENT_TTL_MS / 60_000} min)`), 400);
    }
    const replay = this.#events.after(stream, seq);
    if (stream === STANDALONE || this.#running.has(stream)) return new Response(this.#streams.open(stream, replay), { status: 200, headers });
    // That stream's request is over: send what was missed and end; nothing missed is 204.
    return replay.length === 0 ? new Response(null, { status: 204, headers: { [SESSION_HEADER]: session.id } }) : new Response(Streams.finished(replay), { status: 200, headers });
  }

  /**
   * A `tools/call` with a progress token: the reply is an SSE stream carrying the tool's
   * `notifications/progress` as they happen, then the result, then the stream ends. Every event is
   * stored first, so a dropped stream is resumed with `Last-Event-ID`.
   */
  #streamed(session: McpSession, id: RequestId, params: unknown, token: string | number, options: McpServerOptions): Response {
    const stream = crypto.randomUUID();
    const signal = this.#inFlight.start(id);
    const progress: ProgressSink = (value, total, text) => {
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new TypeError('progress(value): value must be a finite number');
      if (signal.aborted) return;
      const note: Record<string, unknown> = { progressToken: token, progress: value };
      if (typeof total === 'number' && Number.isFinite(total)) note.total = total;
      if (typeof text === 'string') note.message = text.slice(0, 500);
      this.#streams.emit(stream, { jsonrpc: '2.0', method: 'notifications/progress', params: note });
    };
    const body = this.#streams.open(stream);
    this.#running.add(stream);
    const run = this.#dispatch(session, 'tools/call', id, params, options, progress, signal)
      .catch((error: unknown) => rpcError(id, ErrorCode.InternalError, error instanceof Error ? error.message : 'Internal error'))
      .then((reply) => {
        this.#running.delete(stream);
        this.#inFlight.finish(id, signal);
        if (!signal.aborted && readSession(this.ctx.storage.kv)) this.#streams.emit(stream, reply);
        this.#streams.end(stream);
      });
    this.ctx.waitUntil(run);
    return new Response(body, { status: 200, headers: { ...SSE_HEADERS, [SESSION_HEADER]: session.id } });
  }

  async #dispatch(session: McpSession, method: string, id: RequestId, params: unknown, options: McpServerOptions, progress: ProgressSink, signal: AbortSignal): Promise<Record<string, unknown>> {
    const request: RequestScope = { sessionId: session.id, originAuth: originAuthOf(session), id, progress, signal };
    if (method.startsWith('resources/') && this.#servesResources(options)) {
      const scope = { host: this.doInstance, declared: resourcesOf(this.doInstance), option: options.resources, subscriptions: this.#subscriptions, request };
      const reply = await answerResources(scope, method, params);
      if (reply) return reply;
    }
    switch (method) {
      case 'ping':
        return rpcResult(id, {});
      case 'tools/list':
        return rpcResult(id, { tools: listTools(toolsOf(this.doInstance)) });
      case 'tools/call':
        return callTool(this.doInstance, toolsOf(this.doInstance), request, params);
    }
    const prompts = promptsOf(this.doInstance);
    if (prompts.size > 0 && method === 'prompts/list') return rpcResult(id, { prompts: listPrompts(prompts) });
    if (prompts.size > 0 && method === 'prompts/get') return getPrompt(this.doInstance, prompts, request, params);
    // The session stays: a capability probe for a method we lack must not end it.
    return rpcError(id, ErrorCode.MethodNotFound, `Method not found: ${method.slice(0, 100)}`);
  }

  /** Resources: `@resource` methods on the DO, or the `resources` option. */
  #servesResources(options: McpServerOptions): boolean {
    return options.resources !== undefined || resourcesOf(this.doInstance).length > 0;
  }

  /**
   * A client of a remote MCP server, for this DO: `listTools` / `callTool` return a request id and
   * later run the handler with the result or an `McpClientError`. Guide: docs/mcp.md#mcp-client.
   * @example this.svc.mcp.client(url, { bearerToken }).callTool('add', { a: 1, b: 2 }, this.ctn().onSum(this.ctn().$result));
   */
  client(url: string, options?: McpClientOptions): McpClient {
    return new McpClient(this.doInstance, url, options);
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

function acceptsSse(request: Request): boolean {
  return (request.headers.get('Accept') ?? '').toLowerCase().includes('text/event-stream');
}

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
