/**
 * The gateway's grace-period bookkeeping without storage (mesh spec §4.12): the only persistent
 * fact is the DO alarm. A pending alarm within the grace period means "grace"; a marker alarm far
 * in the future means "grace expired"; no alarm means "never connected" (or cleanly reset).
 */

/** How far ahead the "grace expired" marker alarm is set (about 100 years; costs nothing while pending). */
export const MARKER_ALARM_OFFSET_MS = 100 * 365 * 24 * 60 * 60 * 1000;

/** Connection state derived from the open socket and the alarm. */
export type GatewayPresence = 'connected' | 'grace' | 'disconnected';

/**
 * Derives presence from whether a socket is open and the current alarm time.
 * @example presence(false, Date.now() + 3000, Date.now(), 5000) // 'grace'
 */
export function presence(socketOpen: boolean, alarm: number | null, now: number, gracePeriodMs: number): GatewayPresence {
  if (socketOpen) return 'connected';
  if (alarm === null) return 'disconnected';
  return isMarker(alarm, now, gracePeriodMs) ? 'disconnected' : 'grace';
}

/** True when an alarm time is the "grace expired" marker rather than a grace deadline. */
export function isMarker(alarm: number, now: number, gracePeriodMs: number): boolean {
  // A grace alarm is at most gracePeriodMs ahead; anything beyond a generous margin is the marker.
  return alarm - now > Math.max(gracePeriodMs * 10, 24 * 60 * 60 * 1000);
}

/** `subscriptionsLost` for a new connection: true only when the marker says grace expired. */
export function subscriptionsLostFor(alarm: number | null, now: number, gracePeriodMs: number): boolean {
  return alarm !== null && isMarker(alarm, now, gracePeriodMs);
}
