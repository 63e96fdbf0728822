/**
 * Test nodes of the MCP client: a DO that calls tools through `this.svc.mcp.client` and records
 * every handler call in KV (so a test counts them), a Worker that does the same from a
 * LumenizeWorker, a faulty upstream (HTTP 500, a dead server, a held request) and the DO that
 * holds requests until a test releases them. The good upstream is this Worker's own `/mcp` route.
 */
import { DurableObject, WorkerEntrypoint } from 'cloudflare:workers';
import { LumenizeDO, LumenizeWorker, newContinuation } from '@lumenize/mesh';
import { stringify } from '@lumenize/structured-clone';
import { McpClientError, mcpClient, type McpClientExecutor, type McpClientOptions } from '../src/index.ts';

/** One handler call as plain data (readable over RPC). */
export interface ClientDelivery {
  tag: string;
  kind: 'tools' | 'result' | 'error';
  /** The McpClientDO instance that ran the handler. */
  instance?: string;
  toolNames?: string[];
  tools?: unknown[];
  result?: unknown;
  error?: { name: string; isMcpClientError: boolean; code?: string; message: string; status?: number; rpcCode?: number; data?: unknown; ambiguous?: boolean; tool?: string; url?: string; result?: unknown };
}

function describe(tag: string, value: unknown): ClientDelivery {
  if (value instanceof Error) {
    const e = value as McpClientError;
    const plain = (v: unknown) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));
    return {
      tag,
      kind: 'error',
      error: { name: e.name, isMcpClientError: e instanceof McpClientError, code: e.code, message: e.message, status: e.status, rpcCode: e.rpcCode, data: plain(e.data), ambiguous: e.ambiguous, tool: e.tool, url: e.url, result: plain(e.result) },
    };
  }
  if (Array.isArray(value)) return { tag, kind: 'tools', toolNames: value.map((t: { name: string }) => t.name), tools: JSON.parse(JSON.stringify(value)) };
  return { tag, kind: 'result', result: JSON.parse(JSON.stringify(value)) };
}

const KEY = (tag: string) => `test.deliveries:${tag}`;

export class McpClientDO extends LumenizeDO {
  /** Changes with every construction: shows which instance ran a handler (eviction tests). */
  readonly #instance = crypto.randomUUID();

  instanceId(): string {
    return this.#instance;
  }

  #ready(): void {
    this.lmz.init({ bindingName: 'MCP_CLIENT_DO' });
  }

  listVia(url: string, options: McpClientOptions, tag: string): string {
    this.#ready();
    return this.svc.mcp.client(url, options).listTools(this.ctn().record(tag, this.ctn().$result));
  }

  callVia(url: string, options: McpClientOptions, tag: string, name: string, args: Record<string, unknown> | undefined): string {
    this.#ready();
    return this.svc.mcp.client(url, options).callTool(name, args, this.ctn().record(tag, this.ctn().$result));
  }

  /** A bad call: returns the error it threw (as data), or 'no error'. */
  tryBad(kind: string): { name: string; message: string } | 'no error' {
    this.#ready();
    const ok = this.ctn().record('bad', this.ctn().$result);
    const url = 'https://mcp.test/mcp';
    try {
      if (kind === 'scheme') this.svc.mcp.client('ftp://mcp.test/mcp').listTools(ok);
      else if (kind === 'relative') this.svc.mcp.client('/mcp').listTools(ok);
      else if (kind === 'credentials') this.svc.mcp.client('https://u:p@mcp.test/mcp').listTools(ok);
      else if (kind === 'timeout') this.svc.mcp.client(url, { timeout: 0 }).listTools(ok);
      else if (kind === 'maxResponseBytes') this.svc.mcp.client(url, { maxResponseBytes: 10 ** 9 }).listTools(ok);
      else if (kind === 'header') this.svc.mcp.client(url, { headers: { 'X-Key': 'a\r\nInjected: 1' } }).listTools(ok);
      else if (kind === 'reserved-header') this.svc.mcp.client(url, { headers: { 'Mcp-Session-Id': 'x' } }).listTools(ok);
      else if (kind === 'bearer-and-authorization') this.svc.mcp.client(url, { bearerToken: 't', headers: { authorization: 'Basic x' } }).listTools(ok);
      else if (kind === 'handler') this.svc.mcp.client(url).listTools((() => {}) as never);
      else if (kind === 'tool-name') this.svc.mcp.client(url).callTool('', {}, ok);
      else if (kind === 'args') this.svc.mcp.client(url).callTool('add', [1, 2] as never, ok);
      else if (kind === 'executor') this.svc.mcp.client(url, { executorBinding: 'NO_SUCH_EXECUTOR' }).listTools(ok);
      else return 'no error';
    } catch (error) {
      const e = error as Error;
      return { name: e.name, message: e.message };
    }
    return 'no error';
  }

  /** Tries to use the executor for another DO's identity (an open relay), or with a malformed message. */
  hostileHandOff(tag: string, malformed = false): void {
    this.#ready();
    const message = { v: 1, reqId: malformed ? '' : crypto.randomUUID(), originBinding: 'MCP_CLIENT_DO', originId: 'someone-else', url: 'https://mcp.test/mcp', operation: { kind: 'listTools' }, headers: {}, timeout: 1_000, maxResponseBytes: 1_000 } as const;
    this.lmz.call('MCP_CLIENT_EXECUTOR', undefined, newContinuation<McpClientExecutor>().executeMcp(message as never), this.ctn().record(tag, this.ctn().$result));
  }

  record(tag: string, value: unknown): void {
    const kv = this.ctx.storage.kv;
    kv.put(KEY(tag), [...(kv.get<ClientDelivery[]>(KEY(tag)) ?? []), { ...describe(tag, value), instance: this.#instance }]);
  }

  /** Records a delivery made elsewhere (the Worker's handler). */
  recordPlain(delivery: ClientDelivery): void {
    const kv = this.ctx.storage.kv;
    kv.put(KEY(delivery.tag), [...(kv.get<ClientDelivery[]>(KEY(delivery.tag)) ?? []), delivery]);
  }

  deliveries(tag: string): ClientDelivery[] {
    return this.ctx.storage.kv.get<ClientDelivery[]>(KEY(tag)) ?? [];
  }

  /** Runs the next alarm schedule now (the watchdog), whatever its time. */
  fireNextAlarm(): Promise<string[]> {
    return this.svc.alarms.triggerAlarms(1);
  }

  /** Rows the client keeps: pending records and watchdog schedules. */
  clientRows(): { pending: number; watchdogs: number } {
    const pending = [...this.ctx.storage.kv.list({ prefix: '__lmz_mcp_pending:' })].length;
    const watchdogs = this.svc.alarms.getSchedules().filter((s) => s.id.startsWith('__lmz_mcp_client:')).length;
    return { pending, watchdogs };
  }

  /** A duplicate (or late) delivery of `value` for request `reqId`, as the executor would make it. */
  redeliver(reqId: string, text: string): Promise<void> {
    return this.__receiveResult('mcp', reqId, stringify({ content: [{ type: 'text', text }] }));
  }
}

/** A LumenizeWorker calling tools: the exchange runs in its own waitUntil; handlers record in McpClientDO. */
export class McpClientWorker extends LumenizeWorker {
  listFromWorker(url: string, options: McpClientOptions, recordIn: string, tag: string): string {
    return mcpClient(this, url, options).listTools(this.ctn().record(recordIn, tag, this.ctn().$result));
  }

  callFromWorker(url: string, options: McpClientOptions, recordIn: string, tag: string, name: string, args: Record<string, unknown>): string {
    return mcpClient(this, url, options).callTool(name, args, this.ctn().record(recordIn, tag, this.ctn().$result));
  }

  async record(recordIn: string, tag: string, value: unknown): Promise<void> {
    await this.env.MCP_CLIENT_DO.getByName(recordIn).recordPlain(describe(tag, value));
  }
}

/** Holds requests until a test releases them (30 s cap, so nothing waits forever). */
export class McpHoldDO extends DurableObject {
  #waiting = new Map<string, Array<() => void>>();
  #released = new Set<string>();

  hold(key: string): Promise<void> {
    if (this.#released.has(key)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, 30_000);
      this.#waiting.set(key, [...(this.#waiting.get(key) ?? []), () => (clearTimeout(timer), resolve())]);
    });
  }

  release(key: string): void {
    this.#released.add(key);
    for (const done of this.#waiting.get(key) ?? []) done();
    this.#waiting.delete(key);
  }

  held(): string[] {
    return [...this.#waiting.keys()];
  }
}

/** A broken MCP server: `/500` answers HTTP 500, `/hold/k` waits until released, then answers 503. */
export class McpFaultyUpstream extends WorkerEntrypoint<Cloudflare.Env> {
  override async fetch(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    await request.body?.cancel().catch(() => {});
    if (path === '/500') return new Response('upstream exploded', { status: 500 });
    if (path.startsWith('/hold/')) {
      await this.env.MCP_HOLD.getByName('holds').hold(path.slice('/hold/'.length));
      return new Response('released', { status: 503 });
    }
    return new Response('not found', { status: 404 });
  }
}

/**
 * A minimal MCP server that is not ours (JSON replies only), whose tool declares an `outputSchema`
 * (the SDK compiles a checker for it while listing; in production workerd that must not be Ajv,
 * which needs eval — the vitest plugin allows eval, so this test shows the path works, not the ban).
 */
export class McpTinyServer extends WorkerEntrypoint<Cloudflare.Env> {
  override async fetch(request: Request): Promise<Response> {
    if (request.method === 'DELETE') return new Response(null, { status: 204 });
    if (request.method !== 'POST') return new Response('Method Not Allowed', { status: 405 });
    const message = (await request.json()) as { id?: number | string; method?: string; params?: { protocolVersion?: string } };
    if (message.id === undefined) return new Response(null, { status: 202 });
    const reply = (result: unknown) => Response.json({ jsonrpc: '2.0', id: message.id, result }, { headers: { 'Mcp-Session-Id': 'tiny-session' } });
    if (message.method === 'initialize') return reply({ protocolVersion: message.params?.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'tiny', version: '1.0.0' } });
    if (message.method === 'tools/list') {
      return reply({ tools: [{ name: 'point', description: 'A point', inputSchema: { type: 'object' }, outputSchema: { type: 'object', properties: { x: { type: 'number' } }, required: ['x'] } }] });
    }
    if (message.method === 'tools/call') return reply({ content: [{ type: 'text', text: '{"x":1}' }], structuredContent: { x: 1 } });
    return Response.json({ jsonrpc: '2.0', id: message.id, error: { code: -32601, message: `Method not found: ${message.method}` } });
  }
}
