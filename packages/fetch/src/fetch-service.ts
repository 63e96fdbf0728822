/**
 * `this.svc.fetch` (spec fetch §2–§3): `proxy` hands a request to FetchExecutorEntrypoint and
 * hears back as a new inbound call; `direct` fetches from the DO itself. Both are synchronous,
 * return a request id, and later run the handler with a `ResponseSync` or an `Error`.
 */
import { debug } from '@lumenize/debug';
import {
  NadisPlugin,
  decodeOperationChain,
  encodeOperationChain,
  entryName,
  executeOperationChain,
  executeOperationChainSync,
  newContinuation,
  replaceNestedOperationMarkers,
  type AnyContinuation,
  type OperationChain,
} from '@lumenize/mesh';
import { ResponseSync, parse, stringify, type RequestSync } from '@lumenize/structured-clone';
import { FetchIdempotencyError, FetchTimeoutError } from './errors.ts';
import type { FetchExecutorEntrypoint } from './executor.ts';
import { keepResult, readRecord, recordKey, type IdempotencyRecord } from './idempotency.ts';
import { IDEMPOTENCY_GC_ID, IDEMPOTENCY_PREFIX, MAX_HANDOFF_BATCH, WORK_TYPE } from './limits.ts';
import { Watchdog, type AlarmsLike } from './watchdog.ts';
import { fetcherFor, performFetch } from './outbound.ts';
import { safeUrl } from '@lumenize/utils';
import { captureContext, fetchContinuation, pendingKey, readPending, writePending, type SettleMeta } from './pending.ts';
import type { DirectFetchOptions, FetchMessage, ProxyFetchWorkerOptions } from './types.ts';
import { checkBinding, checkContinuation, checkReqId, checkRequest, requireBindingName, resolveDirectOptions, resolveProxyOptions } from './validate.ts';

const logs = {
  proxy: debug('lmz.fetch.Fetch.proxy'),
  direct: debug('lmz.fetch.Fetch.direct'),
  settle: debug('lmz.fetch.Fetch.__settle'),
};
const LOCAL = { requireMeshDecorator: false } as const;

/** The slice of LumenizeDO the plugin uses. */
interface OriginDO {
  readonly env: object;
  readonly lmz: { readonly instanceNameOrId: string; call(binding: string, instance: string | undefined, remote: AnyContinuation, handler?: AnyContinuation): void };
  readonly svc: { readonly alarms: AlarmsLike };
  __receiveResult(workType: string, workId: string, serialized: unknown): Promise<void>;
}

/**
 * The `fetch` NADIS plugin. Registered by `import '@lumenize/fetch'`; used as `this.svc.fetch`.
 * @example const id = this.svc.fetch.proxy('https://api.example.com/x', this.ctn().onX(this.ctn().$result));
 */
export class Fetch extends NadisPlugin {
  #alarms: AlarmsLike;
  #origin: OriginDO;
  #watchdog: Watchdog;
  /** Hand-offs made in this turn, per executor binding, not sent yet. */
  #outbox = new Map<string, FetchMessage[]>();
  /** Request ids of `direct` fetches in flight in this instance (they store nothing). */
  #direct = new Set<string>();

  constructor(doInstance: object) {
    super(doInstance);
    let alarms: AlarmsLike | undefined;
    try {
      alarms = (doInstance as Partial<OriginDO>).svc?.alarms;
    } catch {
      alarms = undefined;
    }
    const hook = (doInstance as { __receiveResult?: unknown }).__receiveResult;
    if (!alarms || typeof alarms.schedule !== 'function' || typeof hook !== 'function') {
      throw new Error('Fetch requires alarms service for timeout handling: use it on a LumenizeDO (its this.svc.alarms runs the watchdog and __receiveResult delivers results)');
    }
    this.#alarms = alarms;
    this.#origin = doInstance as OriginDO;
    this.#watchdog = new Watchdog(alarms, this.ctx.storage.kv);
  }

  /**
   * Hands `request` to FetchExecutorEntrypoint; the handler later receives a `ResponseSync` or an
   * `Error` (a `FetchTimeoutError` from the watchdog). Synchronous; returns the request id.
   * @example this.svc.fetch.proxy(url, this.ctn().onUser({ userId }), { timeout: 10_000 });
   */
  proxy(request: string | RequestSync, continuation: AnyContinuation, options?: ProxyFetchWorkerOptions, reqId?: string): string {
    const userChain = checkContinuation(continuation);
    const originBinding = requireBindingName(this.doInstance, 'svc.fetch.proxy');
    const { request: req, url } = checkRequest(request);
    const opts = resolveProxyOptions(options);
    checkBinding(this.#origin.env, opts.executorBinding, 'executor');
    const id = checkReqId(reqId);
    const kv = this.ctx.storage.kv;
    // A fresh random UUID cannot collide: only a caller-supplied id costs the read.
    if (reqId !== undefined && (readPending(kv, id) !== undefined || this.#direct.has(id))) {
      throw new Error(`Request id '${id}' is already pending; use a new id (or none: a random UUID is made)`);
    }
    const now = Date.now();
    const key = opts.idempotencyKey;
    const record = key === undefined ? undefined : readRecord(kv, key, now);
    if (key !== undefined && record !== undefined && record.result === undefined) {
      const last = record.reqIds.at(-1);
      if (last !== undefined && readPending(kv, last)?.kind === 'live') {
        throw new FetchIdempotencyError(
          'IDEMPOTENCY_KEY_IN_FLIGHT',
          key,
          `Idempotency key '${key}' is in flight (request ${last} has not settled); nothing was sent. Retry after its handler ran`,
        );
      }
    }

    const meta: SettleMeta = { url, handlerTransaction: opts.handlerTransaction, ...(key !== undefined ? { idempotencyKey: key } : {}) };
    const serializedUser = stringify(encodeOperationChain(userChain));
    const ctn = fetchContinuation();
    const replay = key !== undefined ? record?.result : undefined;
    const delay = replay !== undefined ? 0 : (opts.testMode?.alarmTimeoutOverride ?? opts.timeout + opts.watchdogGraceMs);
    // One row per request: the claimable record is also its watchdog entry (deadline).
    writePending(kv, id, ctn.__settle(id, serializedUser, meta, ctn.$result), {
      kind: 'live',
      url,
      callContext: captureContext(this.doInstance),
      deadline: now + delay,
      ...(replay !== undefined ? { replay } : {}),
    });
    this.#watchdog.arm(now + delay);

    if (key !== undefined && replay !== undefined) {
      // A response for this key already arrived: the watchdog delivers it (now) instead of sending again.
      kv.put(recordKey(key), { ...record!, reqIds: [...record!.reqIds, id] } satisfies IdempotencyRecord);
      logs.proxy.info('replayed from the idempotency record; nothing sent', { reqId: id, url: safeUrl(url) });
      return id;
    }
    if (key !== undefined) this.#recordAttempt(key, id, record, now + opts.idempotencyTtlMs);

    const message: FetchMessage = {
      reqId: id,
      request: req,
      originBinding,
      originId: this.#origin.lmz.instanceNameOrId,
      options: {
        ...(opts.outboundBinding !== undefined ? { outboundBinding: opts.outboundBinding } : {}),
        ...(key !== undefined ? { idempotencyKey: key } : {}),
        ...(opts.testMode?.simulateDeliveryFailure ? { testMode: { simulateDeliveryFailure: true } } : {}),
      },
      fetchTimeout: opts.timeout,
    };
    this.#handOff(opts.executorBinding, message);
    if (logs.proxy.enabled) logs.proxy.debug('dispatched', { reqId: id, url: safeUrl(url), timeout: opts.timeout, watchdogInMs: delay, watchdogAt: now + delay });
    return id;
  }

  /**
   * Queues the hand-off; every request made in this turn goes in one call per executor binding
   * (chunks of MAX_HANDOFF_BATCH), sent as soon as the calling code yields.
   */
  #handOff(binding: string, message: FetchMessage): void {
    const queued = this.#outbox.get(binding);
    if (queued) return void queued.push(message);
    this.#outbox.set(binding, [message]);
    // A promise job (not a timer): it keeps this call's async context and runs before the DO's next event.
    void Promise.resolve().then(() => this.#flush(binding));
  }

  #flush(binding: string): void {
    const messages = this.#outbox.get(binding) ?? [];
    this.#outbox.delete(binding);
    const ctn = fetchContinuation();
    for (let i = 0; i < messages.length; i += MAX_HANDOFF_BATCH) {
      const chunk = messages.slice(i, i + MAX_HANDOFF_BATCH);
      const ids = chunk.map((m) => m.reqId);
      try {
        // Fire-and-forget: the executor answers at once; the handler only logs a failed hand-off
        // (the watchdog reports it to the user's handler as FetchTimeoutError).
        this.#origin.lmz.call(
          binding,
          undefined,
          chunk.length === 1 ? newContinuation<FetchExecutorEntrypoint>().executeFetch(chunk[0]) : newContinuation<FetchExecutorEntrypoint>().executeFetchBatch(chunk),
          ctn.__dispatched(ids, ctn.$result),
        );
        if (logs.proxy.enabled) logs.proxy.debug('handed off', { reqIds: ids, batch: chunk.length });
      } catch (error) {
        logs.proxy.error('hand-off could not be sent; the watchdog will report a timeout', { reqIds: ids, error });
      }
    }
  }

  /**
   * Fetches from this DO without awaiting; the handler runs when the fetch settles. No storage, no
   * watchdog: if the DO is evicted first, the handler never runs. Synchronous; returns the id.
   * @example this.svc.fetch.direct(url, this.ctn().onQuote(this.ctn().$result), { timeout: 2_000 });
   */
  direct(request: string | RequestSync, continuation: AnyContinuation, options?: DirectFetchOptions, reqId?: string): string {
    const userChain = checkContinuation(continuation);
    const { request: req, url } = checkRequest(request);
    const opts = resolveDirectOptions(options);
    const fetchFn = fetcherFor(this.#origin.env, opts.outboundBinding);
    if (fetchFn instanceof Error) throw fetchFn;
    const id = checkReqId(reqId);
    if (this.#direct.has(id) || readPending(this.ctx.storage.kv, id) !== undefined) throw new Error(`Request id '${id}' is already pending; use a new id (or none: a random UUID is made)`);
    this.#direct.add(id);
    if (logs.direct.enabled) logs.direct.debug('started', { reqId: id, url: safeUrl(url), timeout: opts.timeout });
    // The promise continues in this DO's async context, so the handler sees this call's callContext.
    performFetch(req, fetchFn, opts.timeout, opts.idempotencyKey)
      .then((result) => {
        this.#direct.delete(id);
        return this.#runHandler(userChain, result, { url, handlerTransaction: opts.handlerTransaction }, id, logs.direct);
      })
      .catch((error: unknown) => logs.direct.error('direct fetch delivery failed', { reqId: id, url: safeUrl(url), error }));
    return id;
  }

  /** Framework-only (the claimed pending record's continuation): cancels the watchdog, runs the handler. */
  __settle(reqId: string, serializedUser: string, meta: SettleMeta, result: unknown): unknown {
    // No watchdog to cancel: the claim deleted the record, which was the request's watchdog entry.
    if (meta.idempotencyKey !== undefined) this.#afterKeyedSettle(reqId, meta, result);
    let chain: OperationChain;
    try {
      chain = decodeOperationChain(parse(serializedUser));
    } catch (error) {
      logs.settle.error('stored handler could not be decoded; claim kept', { reqId, error });
      return undefined;
    }
    return this.#runHandler(chain, result, meta, reqId, logs.settle);
  }

  /** Framework-only: a late response of a timed-out keyed request is kept for retries (no handler runs). */
  __late(reqId: string, idempotencyKey: string, result: unknown): void {
    if (!(result instanceof ResponseSync)) {
      logs.settle.info('late outcome of a timed-out request was not a response; not kept', { reqId });
      return;
    }
    const outcome = keepResult(this.ctx.storage.kv, idempotencyKey, stringify(result), Date.now());
    logs.settle.info('late response of a timed-out request', { reqId, kept: outcome });
  }

  /** Framework-only: the executor answered the hand-off (from here on this DO holds no I/O for these requests). */
  __dispatched(reqIds: string[], outcome: unknown): void {
    for (const reqId of reqIds) {
      if (outcome instanceof Error) logs.proxy.warn('hand-off to the executor failed; the watchdog will report a timeout', { reqId, error: outcome });
      else if (logs.proxy.enabled) logs.proxy.debug('hand-off acknowledged by the executor', { reqId });
    }
  }

  /**
   * Framework-only (the watchdog schedule): answers every request past its deadline through the
   * same claim a result takes (a `FetchTimeoutError`, or an idempotency replay), so a result that
   * arrives later is a no-op; then the schedule has moved to the next deadline.
   */
  async __watchdog(armedFor: number): Promise<void> {
    for (const due of this.#watchdog.fire(armedFor)) {
      const outcome = due.replay ?? stringify(new FetchTimeoutError(due.reqId, due.url));
      try {
        await this.#origin.__receiveResult(WORK_TYPE, due.reqId, outcome);
      } catch (error) {
        logs.settle.error('watchdog delivery failed', { reqId: due.reqId, url: safeUrl(due.url), error });
      }
    }
  }

  /** Framework-only (the sweeper alarm): deletes expired idempotency records and their late catchers. */
  __sweepIdempotency(): void {
    const kv = this.ctx.storage.kv;
    const now = Date.now();
    let next: number | undefined;
    for (const [k, value] of kv.list({ prefix: IDEMPOTENCY_PREFIX })) {
      const record = value as Partial<IdempotencyRecord>;
      const expiresAt = typeof record?.expiresAt === 'number' ? record.expiresAt : 0;
      if (expiresAt > now) {
        next = next === undefined ? expiresAt : Math.min(next, expiresAt);
        continue;
      }
      for (const id of Array.isArray(record?.reqIds) ? record.reqIds : []) {
        if (typeof id === 'string' && readPending(kv, id)?.kind === 'late') kv.delete(pendingKey(id));
      }
      kv.delete(k);
    }
    if (next !== undefined) this.#scheduleSweep(next);
  }

  #recordAttempt(key: string, reqId: string, previous: IdempotencyRecord | undefined, expiresAt: number): void {
    const record: IdempotencyRecord = previous ? { ...previous, reqIds: [...previous.reqIds, reqId] } : { v: 1, reqIds: [reqId], expiresAt };
    this.ctx.storage.kv.put(recordKey(key), record);
    const sweep = this.#alarms.getSchedule(IDEMPOTENCY_GC_ID);
    if (sweep === undefined || sweep.time > record.expiresAt) this.#scheduleSweep(record.expiresAt);
  }

  #scheduleSweep(at: number): void {
    this.#alarms.schedule(new Date(at), fetchContinuation().__sweepIdempotency(), { id: IDEMPOTENCY_GC_ID });
  }

  #afterKeyedSettle(reqId: string, meta: SettleMeta, result: unknown): void {
    const key = meta.idempotencyKey!;
    const kv = this.ctx.storage.kv;
    const now = Date.now();
    if (result instanceof ResponseSync) {
      keepResult(kv, key, stringify(result), now);
    } else if (result instanceof FetchTimeoutError && readRecord(kv, key, now) !== undefined) {
      // The upstream may still answer: catch that late delivery for retries under the same key.
      const ctn = fetchContinuation();
      writePending(kv, reqId, ctn.__late(reqId, key, ctn.$result), { kind: 'late', url: meta.url });
    }
  }

  /** Runs the user's handler with the result injected; never throws (errors are logged). */
  #runHandler(userChain: OperationChain, result: unknown, meta: SettleMeta, reqId: string, log: typeof logs.settle): unknown {
    const name = entryName(userChain);
    const where = { reqId, handler: name, url: safeUrl(meta.url) };
    let chain: OperationChain;
    try {
      chain = replaceNestedOperationMarkers(userChain, result);
    } catch (error) {
      log.error('handler could not be prepared; claim kept', { ...where, error });
      return undefined;
    }
    const outcome = result instanceof Error ? result.name : (result as ResponseSync).status;
    if (meta.handlerTransaction) {
      try {
        this.ctx.storage.transactionSync(() => executeOperationChainSync(chain, this.doInstance, LOCAL));
        log.info('handler ran', { ...where, outcome });
      } catch (error) {
        log.error('handler failed; its writes were rolled back; not retried', { ...where, error });
      }
      return undefined;
    }
    return executeOperationChain(chain, this.doInstance, LOCAL).then(
      () => log.info('handler ran', { ...where, outcome }),
      (error: unknown) => log.error('handler failed; not retried', { ...where, error }),
    );
  }
}

declare global {
  interface LumenizeServices {
    /** Proxy and direct fetch with continuation handlers; see docs/fetch.md. */
    fetch: Fetch;
  }
}
