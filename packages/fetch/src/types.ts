/**
 * Options and message shapes of @lumenize/fetch (spec fetch §2.3, §2.5, §4).
 */
import type { RequestSync } from '@lumenize/structured-clone';

/** Test-only hooks of `proxy` (spec §2.3). */
export interface FetchTestMode {
  /** The executor fetches but skips delivery (the watchdog must answer). */
  simulateDeliveryFailure?: boolean;
  /** Absolute watchdog delay in ms (instead of `timeout + watchdogGraceMs`). */
  alarmTimeoutOverride?: number;
}

/** Options of `this.svc.fetch.proxy`. */
export interface ProxyFetchWorkerOptions {
  /** Ms before the executor aborts the outbound fetch. Default 30,000. */
  timeout?: number;
  /** Service binding to `FetchExecutorEntrypoint`. Default `FETCH_EXECUTOR`. */
  executorBinding?: string;
  /** Extra ms after `timeout` before the watchdog fires. Default 2,000. */
  watchdogGraceMs?: number;
  /** A Fetcher binding on the executor's env used instead of global `fetch` (egress proxy; tests). */
  outboundBinding?: string;
  /** Run the handler inside `transactionSync` (the handler must then be synchronous). Default false. */
  handlerTransaction?: boolean;
  /**
   * Sent upstream as `Idempotency-Key`; a retry with the same key inside `idempotencyTtlMs` reuses a
   * response that already arrived instead of sending again (docs/fetch.md#idempotency-keys).
   */
  idempotencyKey?: string;
  /** How long the origin DO keeps the dedupe record of `idempotencyKey`. Default 10 min, max 24 h. */
  idempotencyTtlMs?: number;
  /** Internal test hooks. */
  testMode?: FetchTestMode;
}

/** Options of `this.svc.fetch.direct`. */
export interface DirectFetchOptions {
  /** Ms before the fetch is aborted. Default 30,000. */
  timeout?: number;
  /** A Fetcher binding on the DO's env used instead of global `fetch`. */
  outboundBinding?: string;
  /** Run the handler inside `transactionSync`. Default false. */
  handlerTransaction?: boolean;
  /** Sent upstream as `Idempotency-Key` (no dedupe record: `direct` stores nothing). */
  idempotencyKey?: string;
}

/** What the origin DO sends to `FetchExecutorEntrypoint.executeFetch`. */
export interface FetchMessage {
  reqId: string;
  request: string | RequestSync;
  originBinding: string;
  originId: string;
  options?: ProxyFetchWorkerOptions;
  fetchTimeout: number;
}
