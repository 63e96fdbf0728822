/**
 * Test nodes for @lumenize/fetch: an origin DO whose handlers record every delivery in KV (so a
 * test can count handler calls across eviction), a DO without identity, a plain DO, and a hostile
 * DO that tries to use the executor as an open proxy.
 */
import { DurableObject, WorkerEntrypoint } from 'cloudflare:workers';
import { LumenizeDO, LumenizeWorker, mesh, newContinuation, type Continuation } from '@lumenize/mesh';
import { RequestSync, ResponseSync } from '@lumenize/structured-clone';
import { WATCHDOG_ID } from '../src/limits.ts';
import { Fetch, FetchTimeoutError, type DirectFetchOptions, type ProxyFetchWorkerOptions, type FetchExecutorEntrypoint } from '../src/index.ts';

/** What a handler call recorded (plain data, readable over Workers RPC). */
export interface Delivery {
  tag: string;
  ctx: Record<string, string | number | boolean | null>;
  kind: 'response' | 'error';
  status?: number;
  statusText?: string;
  ok?: boolean;
  url?: string;
  text?: string;
  bytes?: number[];
  byteLength?: number;
  /** Checksum over every byte of a binary body. */
  checksum?: number;
  /** `JSON.stringify(result.json())` for JSON bodies (json() called synchronously). */
  json?: string;
  headers?: Record<string, string>;
  errorName?: string;
  message?: string;
  ambiguous?: boolean;
  isTimeout?: boolean;
  reqId?: string;
  timeoutUrl?: string;
  /** The instance that ran the handler (changes after eviction). */
  instance: string;
  position: 'first' | 'last';
}

export type Ctx = { tag: string; [k: string]: string | number | boolean | null };

/** What tryProxy/tryDirect report. */
export type TryOutcome = { ok: true; id: string } | { ok: false; name: string; kind: string; message: string; code?: string };

export const TEST_BASE = 'https://endpoints.test';
export const endpointUrl = (instance: string, path: string) => `${TEST_BASE}/test-endpoints-do/${instance}${path}`;

/** FNV-1a over the bytes: compares whole bodies without shipping them over RPC. */
export function checksum(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

function describe(result: unknown, ctx: Ctx, instance: string, position: Delivery['position']): Delivery {
  const base = { tag: ctx.tag, ctx, instance, position };
  if (result instanceof ResponseSync) {
    const type = result.headers.get('content-type') ?? '';
    const binary = type.includes('octet-stream');
    const body = binary ? new Uint8Array(result.arrayBuffer()) : undefined;
    return {
      ...base,
      kind: 'response',
      status: result.status,
      statusText: result.statusText,
      ok: result.ok,
      url: result.url,
      headers: Object.fromEntries(result.headers),
      ...(binary ? { byteLength: body!.length, bytes: Array.from(body!.subarray(0, 16)), checksum: checksum(body!) } : { text: result.text() }),
      ...(type.includes('json') ? { json: JSON.stringify(result.json()) } : {}),
    };
  }
  const e = result as Error;
  return {
    ...base,
    kind: 'error',
    errorName: e?.name,
    message: e?.message,
    isTimeout: result instanceof FetchTimeoutError,
    ...(result instanceof FetchTimeoutError ? { ambiguous: result.ambiguous, reqId: result.reqId, timeoutUrl: result.url } : {}),
  };
}

/** The origin DO. Identity is set in onStart, as an app would with this.lmz.init. */
export class FetchTestDO extends LumenizeDO {
  /** Changes with every new instance: proves a handler ran after eviction. */
  readonly instanceToken = crypto.randomUUID();

  override onStart(): void {
    this.lmz.init({ bindingName: 'FETCH_DO' });
  }

  // ---- what tests call (Workers RPC) ----

  proxyTo(url: string, ctx: Ctx, options?: ProxyFetchWorkerOptions, reqId?: string): string {
    return this.svc.fetch.proxy(url, this.ctn().onResult(ctx, this.ctn().$result), options, reqId);
  }

  /**
   * proxy() plus what storage holds in the same turn. The clock is read before and after: under the
   * test pool it can move by a millisecond inside a turn, so the service's own reading is bracketed.
   */
  proxyAndInspect(url: string, ctx: Ctx, options?: ProxyFetchWorkerOptions): { id: string; before: number; after: number; deadline: number | undefined; watchdog: number | null; pending: boolean } {
    const before = Date.now();
    const id = this.proxyTo(url, ctx, options);
    const after = Date.now();
    return { id, before, after, deadline: this.deadline(id), watchdog: this.watchdog(), pending: this.hasPending(id) };
  }

  proxyFirst(url: string, ctx: Ctx, options?: ProxyFetchWorkerOptions): string {
    return this.svc.fetch.proxy(url, this.ctn().onResultFirst(this.ctn().$result, ctx), options);
  }

  proxyNoMarker(url: string, ctx: Ctx, options?: ProxyFetchWorkerOptions): string {
    return this.svc.fetch.proxy(url, this.ctn().onResult(ctx), options);
  }

  proxyRequest(init: { url: string; method: string; headers: Record<string, string>; body?: string }, ctx: Ctx, options?: ProxyFetchWorkerOptions): string {
    const request = new RequestSync(init.url, { method: init.method, headers: init.headers, body: init.body });
    return this.svc.fetch.proxy(request, this.ctn().onResult(ctx, this.ctn().$result), options);
  }

  proxyThrowing(url: string, ctx: Ctx, options?: ProxyFetchWorkerOptions): string {
    return this.svc.fetch.proxy(url, this.ctn().onThrow(ctx, this.ctn().$result), options);
  }

  proxyAsync(url: string, ctx: Ctx, options?: ProxyFetchWorkerOptions): string {
    return this.svc.fetch.proxy(url, this.ctn().onAsync(ctx, this.ctn().$result), options);
  }

  proxyMissingHandler(url: string, ctx: Ctx): string {
    // A handler name the class does not have (as after a deploy that removed it).
    return this.svc.fetch.proxy(url, (this.ctn() as unknown as Continuation<{ notThere(c: Ctx): void }>).notThere(ctx), { outboundBinding: 'TEST_ENDPOINTS' });
  }

  proxyRetry(url: string, ctx: Ctx & { attempt: number; max: number }, options?: ProxyFetchWorkerOptions): string {
    return this.svc.fetch.proxy(url, this.ctn().onRetry(url, ctx, options ?? {}, this.ctn().$result), options);
  }

  /** A handler that crashes the instance mid-turn: the claim's delete is never committed. */
  proxyCrashing(url: string, ctx: Ctx, options?: ProxyFetchWorkerOptions): string {
    return this.svc.fetch.proxy(url, this.ctn().onCrash(ctx, this.ctn().$result), options);
  }

  proxyMany(urls: string[], tag: string, options?: ProxyFetchWorkerOptions): string[] {
    return urls.map((url, index) => this.svc.fetch.proxy(url, this.ctn().onResult({ tag, index }, this.ctn().$result), options));
  }

  directTo(url: string, ctx: Ctx, options?: DirectFetchOptions, reqId?: string): string {
    return this.svc.fetch.direct(url, this.ctn().onResult(ctx, this.ctn().$result), options, reqId);
  }

  directFirst(url: string, ctx: Ctx, options?: DirectFetchOptions): string {
    return this.svc.fetch.direct(url, this.ctn().onResultFirst(this.ctn().$result, ctx), options);
  }

  /** Calls proxy with arbitrary (bad) arguments; returns the thrown error's name/message or the id. */
  tryProxy(kind: string, arg?: unknown, options?: unknown, reqId?: string): TryOutcome {
    return this.#try(kind, arg, (request, ctn) => this.svc.fetch.proxy(request, ctn, options as ProxyFetchWorkerOptions, reqId));
  }

  /** The same for direct. */
  tryDirect(kind: string, arg?: unknown, options?: unknown, reqId?: string): TryOutcome {
    return this.#try(kind, arg, (request, ctn) => this.svc.fetch.direct(request, ctn, options as DirectFetchOptions, reqId));
  }

  #try(kind: string, arg: unknown, call: (request: string, ctn: never) => string): TryOutcome {
    try {
      const ctn = kind === 'plain-function' ? (() => {}) : kind === 'undefined' ? undefined : kind === 'object' ? { onResult: true } : this.ctn().onResult({ tag: 'bad' }, this.ctn().$result);
      const request = kind === 'native-request' ? new Request('https://endpoints.test/x') : (arg as string);
      return { ok: true, id: call(request as string, ctn as never) };
    } catch (e) {
      const error = e as Error & { code?: string };
      const kind = e instanceof RangeError ? 'RangeError' : e instanceof TypeError ? 'TypeError' : 'Error';
      return { ok: false, name: error.name, kind, message: error.message, ...(error.code ? { code: error.code } : {}) };
    }
  }

  /** direct() plus what storage holds in the same turn. */
  directAndInspect(url: string, ctx: Ctx, options?: DirectFetchOptions): { id: string; rows: { pending: number; idempotency: number; alarms: number } } {
    const id = this.directTo(url, ctx, options);
    return { id, rows: this.storageRows() };
  }

  /** A POST whose body is a stream (cannot be persisted): the error and what it is. */
  tryStreamBody(url: string): { kind: string; name: string; message: string } {
    try {
      const body = new ReadableStream({ start: (c) => c.close() });
      const request = new RequestSync(url, { method: 'POST', body: body as unknown as string });
      this.svc.fetch.proxy(request, this.ctn().onResult({ tag: 'stream' }, this.ctn().$result));
      return { kind: 'none', name: '', message: '' };
    } catch (e) {
      return { kind: e instanceof TypeError ? 'TypeError' : 'Error', name: (e as Error).name, message: (e as Error).message };
    }
  }

  /** `proxy()` while a client's call is active: proves the executor accepts DO-immediate callers. */
  @mesh
  proxyForClient(url: string, tag: string): string {
    return this.proxyTo(url, { tag }, { outboundBinding: 'TEST_ENDPOINTS' });
  }

  // ---- handlers ----

  onResult(ctx: Ctx, result: ResponseSync | Error): void {
    this.#record(describe(result, ctx, this.instanceToken, 'last'));
  }

  onResultFirst(result: ResponseSync | Error, ctx: Ctx): void {
    this.#record(describe(result, ctx, this.instanceToken, 'first'));
  }

  onThrow(ctx: Ctx, result: ResponseSync | Error): void {
    this.ctx.storage.kv.put(`wrote:${ctx.tag}`, true);
    this.#record(describe(result, ctx, this.instanceToken, 'last'));
    throw new Error(`handler boom ${ctx.tag}`);
  }

  onCrash(ctx: Ctx, result: ResponseSync | Error): void {
    if (result instanceof FetchTimeoutError) {
      this.#record(describe(result, ctx, this.instanceToken, 'last'));
      return;
    }
    this.ctx.storage.kv.put(`wrote:${ctx.tag}`, true);
    this.ctx.abort('crash inside the handler');
  }

  async onAsync(ctx: Ctx, result: ResponseSync | Error): Promise<void> {
    this.ctx.storage.kv.put(`wrote:${ctx.tag}`, true);
    this.#record(describe(result, ctx, this.instanceToken, 'last'));
  }

  onRetry(url: string, ctx: Ctx & { attempt: number; max: number }, options: ProxyFetchWorkerOptions, result: ResponseSync | Error): void {
    this.#record(describe(result, ctx, this.instanceToken, 'last'));
    const retryable = result instanceof Error || result.status >= 500;
    if (retryable && ctx.attempt < ctx.max) this.proxyRetry(url, { ...ctx, attempt: ctx.attempt + 1 }, options);
  }

  // ---- inspection ----

  deliveries(tag: string): Delivery[] {
    return (this.ctx.storage.kv.get<Delivery[]>(`deliveries:${tag}`) ?? []);
  }

  wrote(tag: string): boolean {
    return this.ctx.storage.kv.get(`wrote:${tag}`) === true;
  }

  hasPending(reqId: string): boolean {
    return this.ctx.storage.kv.get(`__lmz_fetch_pending:${reqId}`) !== undefined;
  }

  pendingKind(reqId: string): string | undefined {
    return (this.ctx.storage.kv.get<{ kind?: string }>(`__lmz_fetch_pending:${reqId}`))?.kind;
  }

  schedule(id: string): { time: number } | undefined {
    const s = this.svc.alarms.getSchedule(id);
    return s && { time: s.time };
  }

  scheduleCount(): number {
    return this.svc.alarms.getSchedules().length;
  }

  /** The one multiplexed watchdog schedule's time, or null when none is armed. */
  watchdog(): number | null {
    return this.svc.alarms.getSchedule(WATCHDOG_ID)?.time ?? null;
  }

  /** The watchdog deadline stored in a request's pending record (its watchdog entry). */
  deadline(reqId: string): number | undefined {
    return this.ctx.storage.kv.get<{ deadline?: number }>(`__lmz_fetch_pending:${reqId}`)?.deadline;
  }

  /**
   * Rows of our storage: KV keys by prefix, and alarm schedules other than the shared watchdog
   * (it outlives settled requests by design and ends on its own; tests check it with watchdog()).
   */
  storageRows(): { pending: number; idempotency: number; alarms: number } {
    const kv = this.ctx.storage.kv;
    return {
      pending: [...kv.list({ prefix: '__lmz_fetch_pending:' })].length,
      idempotency: [...kv.list({ prefix: '__lmz_fetch_idem:' })].length,
      alarms: this.svc.alarms.getSchedules().filter((s) => s.id !== WATCHDOG_ID).length,
    };
  }

  idempotencyRecord(key: string): unknown {
    return this.ctx.storage.kv.get(`__lmz_fetch_idem:${key}`);
  }

  triggerAlarms(count?: number): Promise<string[]> {
    return this.svc.alarms.triggerAlarms(count);
  }

  token(): string {
    return this.instanceToken;
  }

  /** Resets the instance (spec item 23). */
  abort(): string {
    try {
      this.ctx.abort('test reset');
    } catch {
      // The reset is what we want; the throw only unwinds this call.
    }
    return 'reset';
  }

  /** The storage keys this DO holds under a prefix (for row accounting). */
  keys(prefix: string): string[] {
    return [...this.ctx.storage.kv.list({ prefix })].map(([k]) => k);
  }

  #record(d: Delivery): void {
    const kv = this.ctx.storage.kv;
    const key = `deliveries:${d.tag}`;
    kv.put(key, [...(kv.get<Delivery[]>(key) ?? []), d]);
  }
}

/** A LumenizeDO that never learns its binding name. */
export class NoIdentityDO extends LumenizeDO {
  tryProxy(url: string): { name: string; message: string } | string {
    try {
      return this.svc.fetch.proxy(url, this.ctn().onResult());
    } catch (e) {
      return { name: (e as Error).name, message: (e as Error).message };
    }
  }
  onResult(): void {}
}

/** A plain DurableObject: it has no alarms service and no __receiveResult hook. */
export class PlainFetchDO extends DurableObject {
  construct(): string {
    try {
      new Fetch(this);
      return 'constructed';
    } catch (e) {
      return (e as Error).message;
    }
  }
}

/** A node that is not `victim` asks the executor to fetch as if it were: the refusal, or 'accepted'. */
async function impersonateVictim(node: LumenizeDO | LumenizeWorker, url: string, victim: string): Promise<{ name: string; message: string } | 'accepted'> {
  try {
    await node.lmz.callRaw(
      'FETCH_EXECUTOR',
      undefined,
      newContinuation<FetchExecutorEntrypoint>().executeFetch({ reqId: crypto.randomUUID(), request: url, originBinding: 'FETCH_DO', originId: victim, options: { outboundBinding: 'TEST_ENDPOINTS' }, fetchTimeout: 5000 }),
    );
    return 'accepted';
  } catch (e) {
    return { name: (e as Error).name, message: (e as Error).message };
  }
}

/** Tries to use the executor as an open proxy, naming another DO as the origin. */
export class HostileDO extends LumenizeDO {
  override onStart(): void {
    this.lmz.init({ bindingName: 'HOSTILE_DO' });
  }

  async impersonate(url: string, victim: string): Promise<{ name: string; message: string } | 'accepted'> {
    return impersonateVictim(this, url, victim);
  }

  /**
   * A batch whose first message is honest (this DO's own origin) and whose last names `victim`:
   * the whole batch must be refused. `size` pads it with honest messages.
   */
  async impersonateBatch(url: string, victim: string, size = 2): Promise<{ name: string; message: string } | 'accepted'> {
    const own = { originBinding: 'HOSTILE_DO', originId: this.lmz.instanceNameOrId ?? '' };
    const message = (origin: { originBinding: string; originId: string }) => ({ reqId: crypto.randomUUID(), request: url, ...origin, options: { outboundBinding: 'TEST_ENDPOINTS' }, fetchTimeout: 5000 });
    const batch = size === 0 ? [] : [...Array.from({ length: size - 1 }, () => message(own)), message({ originBinding: 'FETCH_DO', originId: victim })];
    try {
      await this.lmz.callRaw('FETCH_EXECUTOR', undefined, this.ctn<FetchExecutorEntrypoint>().executeFetchBatch(batch));
      return 'accepted';
    } catch (e) {
      return { name: (e as Error).name, message: (e as Error).message };
    }
  }

  /** A mesh call into another DO whose chain starts at `svc.fetch` (must be refused). */
  async callSvc(victim: string, reqId: string): Promise<{ name: string; message: string } | 'accepted'> {
    try {
      const chain = this.ctn<{ svc: { fetch: { __settle(id: string, s: string, m: unknown, r: unknown): void } } }>().svc.fetch.__settle(reqId, '[]', { url: 'https://x.test/', handlerTransaction: false }, 'forged');
      await this.lmz.callRaw('FETCH_DO', victim, chain);
      return 'accepted';
    } catch (e) {
      return { name: (e as Error).name, message: (e as Error).message };
    }
  }
}

/** An upstream whose response body fails half-way (a connection dropped mid-body). */
export class BrokenUpstream extends WorkerEntrypoint {
  override fetch(): Response {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"partial":'));
        controller.error(new Error('upstream connection dropped mid-body'));
      },
    });
    return new Response(body, { headers: { 'content-type': 'application/json' } });
  }
}

/** A Worker (not a DO) that tries to use the executor: refused, nothing fetched. */
export class HostileWorker extends LumenizeWorker {
  /** A mesh call into the origin DO whose method calls proxy(): the chain starts at a non-DO. */
  async viaOrigin(url: string, victim: string, tag: string): Promise<string> {
    this.lmz.init({ bindingName: 'HOSTILE_WORKER' });
    return (await this.lmz.callRaw('FETCH_DO', victim, this.ctn<FetchTestDO>().proxyForClient(url, tag))) as string;
  }

  async impersonate(url: string, victim: string): Promise<{ name: string; message: string } | 'accepted'> {
    this.lmz.init({ bindingName: 'HOSTILE_WORKER' });
    return impersonateVictim(this, url, victim);
  }
}
