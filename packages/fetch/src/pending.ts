/**
 * The pending record of one proxied request (spec fetch §4), stored in the origin DO's KV under
 * `__lmz_fetch_pending:{reqId}` — the key `LumenizeDO.__receiveResult('fetch', reqId, …)` claims.
 * Claiming deletes it, so whichever of result, watchdog or duplicate arrives first runs the handler
 * and every later one finds nothing. The record also carries the request's watchdog deadline (one
 * row per request; see watchdog.ts).
 */
import { encodeOperationChain, getOperationChain, newContinuation, type AnyContinuation, type CallContext, type Continuation, type WireOperationChain } from '@lumenize/mesh';
import { PENDING_PREFIX } from './limits.ts';

/** What `__settle` needs besides the result. */
export interface SettleMeta {
  /** Full URL (for the handler's FetchTimeoutError; logs use origin + path only). */
  url: string;
  handlerTransaction: boolean;
  idempotencyKey?: string;
}

/** Stored shape (read by the mesh hook: `chain` and `callContext`; the rest is ours). */
export interface PendingRecord {
  chain: WireOperationChain;
  callContext?: { callChain: CallContext['callChain'][number][]; originAuth?: CallContext['originAuth']; state: Record<string, unknown> };
  /** `live`: the user's handler waits; `late`: a timed-out keyed request waits for a late response. */
  kind: 'live' | 'late';
  url: string;
  /** `live` only: when the watchdog answers with a FetchTimeoutError (epoch ms). One row per request: this is its watchdog entry. */
  deadline?: number;
  /** `live` only: an idempotency replay, delivered by the watchdog at `deadline` instead of a timeout. */
  replay?: string;
}

/** The framework side of a continuation: `svc.fetch.<method>(...)`. */
export interface FetchHandlers {
  __settle(reqId: string, serializedUser: string, meta: SettleMeta, result: unknown): unknown;
  __late(reqId: string, idempotencyKey: string, result: unknown): void;
  __dispatched(reqIds: string[], outcome: unknown): void;
  __sweepIdempotency(): void;
  __watchdog(armedFor: number): Promise<void>;
}

export function pendingKey(reqId: string): string {
  return `${PENDING_PREFIX}${reqId}`;
}

/** A continuation on this DO's fetch service, `svc.fetch.<method>(...)` (never inbound-callable: mesh refuses chains rooted at `svc`). */
export function fetchContinuation(): Continuation<FetchHandlers> {
  return newContinuation<{ svc: { fetch: FetchHandlers } }>().svc.fetch;
}

/** The current call context in its stored form, or undefined when none is active. */
export function captureContext(doInstance: object): PendingRecord['callContext'] {
  let ctx: CallContext;
  try {
    ctx = (doInstance as { lmz: { callContext: CallContext } }).lmz.callContext;
  } catch {
    return undefined;
  }
  const wire: NonNullable<PendingRecord['callContext']> = { callChain: ctx.callChain.map((n) => ({ ...n })), state: { ...ctx.state } };
  if (ctx.originAuth !== undefined) wire.originAuth = ctx.originAuth;
  return wire;
}

export function writePending(kv: SyncKvStorage, reqId: string, chain: AnyContinuation, record: Omit<PendingRecord, 'chain'>): void {
  kv.put(pendingKey(reqId), { ...record, chain: encodeOperationChain(getOperationChain(chain)!) } satisfies PendingRecord);
}

export function readPending(kv: SyncKvStorage, reqId: string): PendingRecord | undefined {
  const value = kv.get(pendingKey(reqId)) as PendingRecord | undefined;
  return typeof value === 'object' && value !== null ? value : undefined;
}
