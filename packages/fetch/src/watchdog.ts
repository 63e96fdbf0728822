/**
 * The multiplexed watchdog (spec fetch §3.5, the §8 "single-row layout"): each pending record
 * carries its own deadline, and ONE alarms-service schedule (`__lmz_fetch_watchdog`) sits at the
 * earliest deadline. Arming writes nothing unless the new deadline is earlier than the armed one
 * (with one timeout per DO, deadlines only grow, so a burst arms once); settling writes nothing
 * at all (the claim deletes the record, which is the request's watchdog entry). When the schedule
 * fires, every due record gets its timeout through the same claim as a result, and the schedule
 * moves to the next deadline. A schedule left behind by settled requests fires once, finds
 * nothing due, and ends (so a busy DO pays one schedule per timeout window, not per request).
 */
import { debug } from '@lumenize/debug';
import type { AnyContinuation } from '@lumenize/mesh';
import { PENDING_PREFIX, WATCHDOG_ID } from './limits.ts';
import { fetchContinuation, type PendingRecord } from './pending.ts';

const log = debug('lmz.fetch.Fetch.__watchdog');

/** The slice of the alarms service the watchdog uses. */
export interface AlarmsLike {
  schedule(when: Date, continuation: AnyContinuation, options?: { id?: string }): { time: number };
  getSchedule(id: string): { time: number } | undefined;
  cancelSchedule(id: string): unknown;
}

/** A record the watchdog must answer now. */
export interface DueRequest {
  reqId: string;
  url: string;
  deadline: number;
  /** A result to deliver instead of the timeout (an idempotency replay). */
  replay?: string;
}

export class Watchdog {
  #alarms: AlarmsLike;
  #kv: SyncKvStorage;
  /** The armed schedule's time: `null` none, `undefined` not read yet (a cache; storage is the truth). */
  #armedAt: number | null | undefined;

  constructor(alarms: AlarmsLike, kv: SyncKvStorage) {
    this.#alarms = alarms;
    this.#kv = kv;
  }

  /** Makes sure the schedule fires no later than `deadline` (writes only when it moves earlier). */
  arm(deadline: number): void {
    if (this.#armedAt === undefined) this.#armedAt = this.#alarms.getSchedule(WATCHDOG_ID)?.time ?? null;
    if (this.#armedAt !== null && this.#armedAt <= deadline) return;
    this.#alarms.schedule(new Date(deadline), fetchContinuation().__watchdog(deadline), { id: WATCHDOG_ID });
    this.#armedAt = deadline;
  }

  /**
   * The schedule fired (armed for `armedFor`; a test's fast-forward may run it early, so the
   * cut-off is the later of now and that time). Re-arms at the next deadline and returns the due
   * requests, earliest first. The caller delivers them.
   */
  fire(armedFor: number): DueRequest[] {
    const cutoff = Math.max(Date.now(), typeof armedFor === 'number' && Number.isFinite(armedFor) ? armedFor : 0);
    const due: DueRequest[] = [];
    let next: number | undefined;
    for (const [key, value] of this.#kv.list<PendingRecord>({ prefix: PENDING_PREFIX })) {
      // Stored rows are data: only well-formed live records with a deadline are acted on.
      if (typeof value !== 'object' || value === null || value.kind !== 'live' || typeof value.deadline !== 'number') continue;
      if (value.deadline > cutoff) {
        next = next === undefined ? value.deadline : Math.min(next, value.deadline);
        continue;
      }
      const reqId = key.slice(PENDING_PREFIX.length);
      due.push({ reqId, url: typeof value.url === 'string' ? value.url : '', deadline: value.deadline, ...(typeof value.replay === 'string' ? { replay: value.replay } : {}) });
    }
    // This run's schedule row is deleted by the alarms service after the handler; a new one
    // (a new revision under the same id) survives that.
    this.#armedAt = null;
    if (next !== undefined) this.arm(next);
    if (log.enabled) log.debug('fired', { due: due.length, next: next ?? null });
    return due.sort((a, b) => a.deadline - b.deadline);
  }
}
