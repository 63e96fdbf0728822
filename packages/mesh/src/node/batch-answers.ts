/**
 * The answering side of `__executeBatch` for any mesh callee (a LumenizeDO, the client gateway):
 * each envelope is started in the order given, exactly as separate `__executeOperation` calls
 * delivered in that order would be, and answered on its own, so one failing envelope (even a
 * malformed one) fails only itself. The reply holds every answer ready after one macrotask (or at
 * once, when every call settled before it); a call still running then (it waits on I/O, on another
 * call, or on a client) is parked, and the caller fetches its answer with `__awaitParked(token)`
 * ({@link claimParked}), so a slow call never holds back the answers of the fast ones.
 */
import { encodeError } from '../envelope.ts';
import type { CallResult } from '../protocol.ts';

/** Most envelopes one `__executeBatch` may carry (the gateway sends at most one frame's calls). */
export const MAX_BATCH_ENVELOPES = 1_000;

/** Most parked answers one isolate keeps for their follow-up; past it the oldest are dropped. */
const MAX_PARKED = 10_000;

/** An answer that was not ready when the batch replied: fetch it with `__awaitParked(token)`. */
export interface ParkedResult {
  $parked: string;
}

/** Answers still running (or unclaimed) when their batch replied, by token. */
const parked = new Map<string, Promise<unknown>>();

/**
 * Resolves when every run has settled or one macrotask has passed, whichever comes first: everything
 * that finishes without outside I/O has settled by the macrotask, and a batch whose calls all
 * settled in microtasks has nothing to wait for.
 */
async function settledOrNextMacrotask(runs: Promise<unknown>[]): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const macrotask = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, 0);
  });
  await Promise.race([Promise.all(runs), macrotask]);
  clearTimeout(timer);
}

/** Starts every envelope with `run` (the callee's single-call entry) and answers as described above. */
export async function answerBatch<R>(envelopes: unknown, run: (envelope: unknown) => Promise<R>): Promise<Array<R | CallResult | ParkedResult>> {
  if (!Array.isArray(envelopes) || envelopes.length === 0 || envelopes.length > MAX_BATCH_ENVELOPES) {
    throw new TypeError(`Invalid envelope batch: expected 1 to ${MAX_BATCH_ENVELOPES} envelopes`);
  }
  const ready: Array<R | CallResult | undefined> = new Array(envelopes.length);
  const runs = envelopes.map((envelope: unknown, i) => {
    let started: Promise<R | CallResult>;
    try {
      started = run(envelope).catch((e: unknown) => encodeError(e));
    } catch (e) {
      started = Promise.resolve(encodeError(e));
    }
    return started.then((r) => (ready[i] = r));
  });
  await settledOrNextMacrotask(runs);
  return runs.map((started, i) => {
    const r = ready[i];
    if (r !== undefined) return r;
    const token = crypto.randomUUID();
    if (parked.size >= MAX_PARKED) parked.delete(parked.keys().next().value!);
    parked.set(token, started);
    return { $parked: token };
  });
}

/**
 * The answer of a parked batch entry (`__awaitParked`), exactly once; an unknown token (claimed
 * already, or this instance restarted) answers with an error saying the outcome is unknown.
 */
export function claimParked(token: unknown): Promise<unknown> {
  const run = typeof token === 'string' ? parked.get(token) : undefined;
  if (!run) return Promise.resolve(encodeError(new Error('The outcome of this batched call is unknown: its callee no longer holds the answer (restarted?)')));
  parked.delete(token as string);
  return run;
}
