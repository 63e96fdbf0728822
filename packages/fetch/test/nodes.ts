/**
 * Test nodes for @lumenize/fetch: an origin DO whose handlers record every delivery in KV (so a
 * test can count handler calls across eviction), a DO without identity, a plain DO, and a hostile
 * DO that tries to use the executor as an open proxy.
 */
import { DurableObject } from 'cloudflare:workers';
import { LumenizeDO, mesh, type Continuation } from '@lumenize/mesh';
import { RequestSync, ResponseSync } from '@lumenize/structured-clone';
import { Fetch, FetchTimeoutError, type DirectFetchOptions, type ProxyFetchWorkerOptions, type FetchExecutorEntrypoint } from '../src/index.ts';

/** What a handler call recorded (plain data, readable over Workers RPC). */
export interface Delivery {
  tag: string;
  ctx: Record<string, unknown>;
  kind: 'response' | 'error';
  status?: number;
  statusText?: string;
  ok?: boolean;
  url?: string;
  text?: string;
  bytes?: number[];
  byteLength?: number;
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

export type Ctx = { tag: string; [k: string]: unknown };

export const TEST_BASE = 'https://endpoints.test';
export const endpointUrl = (instance: string, path: string) => `${TEST_BASE}/test-endpoints-do/${instance}${path}`;

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
      ...(binary ? { byteLength: body!.length, bytes: Array.from(body!.subarray(0, 16)) } : { text: result.text() }),
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
  tryProxy(kind: string, arg?: unknown, options?: unknown, reqId?: string): { ok: true; id: string } | { ok: false; name: string; kind: string; message: string; code?: string } {
    try {
      const ctn = kind === 'plain-function' ? (() => {}) : kind === 'undefined' ? undefined : kind === 'object' ? { onResult: true } : this.ctn().onResult({ tag: 'bad' }, this.ctn().$result);
      const request = kind === 'native-request' ? new Request('https://endpoints.test/x') : (arg as string);
      const id = this.svc.fetch.proxy(request as string, ctn as never, options as ProxyFetchWorkerOptions, reqId);
      return { ok: true, id };
    } catch (e) {
      const error = e as Error & { code?: string };
      const kind = e instanceof RangeError ? 'RangeError' : e instanceof TypeError ? 'TypeError' : 'Error';
      return { ok: false, name: error.name, kind, message: error.message, ...(error.code ? { code: error.code } : {}) };
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

  /** Rows of our storage: KV keys by prefix and alarm schedules. */
  storageRows(): { pending: number; idempotency: number; alarms: number } {
    const kv = this.ctx.storage.kv;
    return {
      pending: [...kv.list({ prefix: '__lmz_fetch_pending:' })].length,
      idempotency: [...kv.list({ prefix: '__lmz_fetch_idem:' })].length,
      alarms: this.svc.alarms.getSchedules().length,
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
  abort(): void {
    this.ctx.abort('test reset');
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

/** Tries to use the executor as an open proxy, naming another DO as the origin. */
export class HostileDO extends LumenizeDO {
  override onStart(): void {
    this.lmz.init({ bindingName: 'HOSTILE_DO' });
  }

  async impersonate(url: string, victim: string): Promise<{ name: string; message: string } | 'accepted'> {
    try {
      await this.lmz.callRaw(
        'FETCH_EXECUTOR',
        undefined,
        this.ctn<FetchExecutorEntrypoint>().executeFetch({ reqId: crypto.randomUUID(), request: url, originBinding: 'FETCH_DO', originId: victim, options: { outboundBinding: 'TEST_ENDPOINTS' }, fetchTimeout: 5000 }),
      );
      return 'accepted';
    } catch (e) {
      return { name: (e as Error).name, message: (e as Error).message };
    }
  }
}
