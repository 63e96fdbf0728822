/**
 * Reconnect backoff for LumenizeClient: 1 s doubling to a 30 s cap (mesh spec §4.10), minus up to
 * 20 % random jitter so a fleet of clients dropped together does not reconnect in lockstep. The
 * jitter only shortens a delay, so the cap is never exceeded and `random() === 0` gives the exact
 * 1, 2, 4, 8, 16, 30 s sequence.
 *
 * @example reconnectDelay(2) // between 3200 and 4000 ms
 */
export const RECONNECT_BASE_MS = 1_000;
export const RECONNECT_MAX_MS = 30_000;
export const RECONNECT_JITTER = 0.2;

/** Delay before reconnect attempt number `attempt` (0-based). */
export function reconnectDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** Math.min(attempt, 16));
  return Math.round(base * (1 - RECONNECT_JITTER * random()));
}
