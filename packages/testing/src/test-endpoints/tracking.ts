/**
 * Request recording in the DO's synchronous KV (spec testing §3.9): `tracking:enabled`,
 * `stats:count`, `stats:firstTimestamp`, `stats:lastTimestamp`, `request:last`, `response:last`.
 * The last request/response are stored as structured-clone's plain encoded forms (a class instance
 * with private fields does not survive storage or Workers RPC) and decoded on read.
 */
import {
  RequestSync,
  ResponseSync,
  decodeRequestSync,
  decodeResponseSync,
  encodeRequestSync,
  encodeResponseSync,
  type EncodedRequestSync,
  type EncodedResponseSync,
} from '@lumenize/structured-clone';

/** The KV keys this module owns. */
export const TRACKING_KEYS = {
  enabled: 'tracking:enabled',
  count: 'stats:count',
  first: 'stats:firstTimestamp',
  last: 'stats:lastTimestamp',
  request: 'request:last',
  response: 'response:last',
} as const;

/**
 * Plain-data view of the tracking rows, safe over Workers RPC: the last request/response are the
 * JSON text of their encoded forms (decode with `decodeTracking`).
 */
export interface TrackingSnapshot {
  enabled: boolean;
  count: number | undefined;
  firstTimestamp: Date | undefined;
  lastTimestamp: Date | undefined;
  request: string | undefined;
  response: string | undefined;
}

/** The same view with the request/response decoded. */
export interface TrackingData extends Omit<TrackingSnapshot, 'request' | 'response'> {
  request: RequestSync | undefined;
  response: ResponseSync | undefined;
}

type Kv = SyncKvStorage;

export function isEnabled(kv: Kv): boolean {
  return kv.get(TRACKING_KEYS.enabled) !== false;
}

/** Counts one arriving request (synchronously, before any await, so a count proves arrival). */
export function countArrival(kv: Kv): void {
  const now = new Date();
  kv.put(TRACKING_KEYS.count, ((kv.get(TRACKING_KEYS.count) as number | undefined) ?? 0) + 1);
  if (kv.get(TRACKING_KEYS.first) === undefined) kv.put(TRACKING_KEYS.first, now);
  kv.put(TRACKING_KEYS.last, now);
}

export function recordRequest(kv: Kv, request: RequestSync): void {
  kv.put(TRACKING_KEYS.request, encodeRequestSync(request));
}

export function recordResponse(kv: Kv, response: ResponseSync): void {
  kv.put(TRACKING_KEYS.response, encodeResponseSync(response));
}

function jsonOf(value: unknown): string | undefined {
  return value === undefined ? undefined : JSON.stringify(value);
}

export function snapshot(kv: Kv): TrackingSnapshot {
  return {
    enabled: isEnabled(kv),
    count: kv.get(TRACKING_KEYS.count) as number | undefined,
    firstTimestamp: kv.get(TRACKING_KEYS.first) as Date | undefined,
    lastTimestamp: kv.get(TRACKING_KEYS.last) as Date | undefined,
    request: jsonOf(kv.get(TRACKING_KEYS.request)),
    response: jsonOf(kv.get(TRACKING_KEYS.response)),
  };
}

/** Decodes a snapshot (from storage or from Workers RPC) into RequestSync/ResponseSync. */
export function decodeSnapshot(s: TrackingSnapshot): TrackingData {
  return {
    ...s,
    request: s.request === undefined ? undefined : decodeRequestSync(JSON.parse(s.request) as EncodedRequestSync),
    response: s.response === undefined ? undefined : decodeResponseSync(JSON.parse(s.response) as EncodedResponseSync),
  };
}

export function reset(kv: Kv): void {
  for (const key of Object.values(TRACKING_KEYS)) kv.delete(key);
}
