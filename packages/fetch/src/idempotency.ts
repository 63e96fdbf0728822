/**
 * Idempotency dedupe records in the origin DO's KV (docs/fetch.md#idempotency-keys):
 * `__lmz_fetch_idem:{key}` → the attempts made under the key and, once one answered with an HTTP
 * response, that response (structured-clone text). Records expire after their TTL; one shared alarm
 * (`__lmz_fetch_idem_gc`) sweeps expired ones.
 */
import { IDEMPOTENCY_PREFIX, MAX_IDEMPOTENT_RESULT_CHARS } from './limits.ts';

/** One dedupe record (stored shape, version 1). */
export interface IdempotencyRecord {
  v: 1;
  /** Request ids of every attempt under this key, oldest first. */
  reqIds: string[];
  /** Epoch ms after which the record is ignored and swept. */
  expiresAt: number;
  /** The first HTTP response that arrived for any attempt (structured-clone text). */
  result?: string;
}

export function recordKey(key: string): string {
  return `${IDEMPOTENCY_PREFIX}${key}`;
}

/** The live record for `key`, or undefined (absent, expired or malformed: never trusted blindly). */
export function readRecord(kv: SyncKvStorage, key: string, now: number): IdempotencyRecord | undefined {
  const value = kv.get(recordKey(key)) as Partial<IdempotencyRecord> | undefined;
  if (typeof value !== 'object' || value === null || value.v !== 1 || !Array.isArray(value.reqIds) || typeof value.expiresAt !== 'number') return undefined;
  if (value.expiresAt <= now) return undefined;
  if (value.result !== undefined && typeof value.result !== 'string') return undefined;
  return value as IdempotencyRecord;
}

/** Keeps `serialized` as the key's response unless one is kept already or it is too large. */
export function keepResult(kv: SyncKvStorage, key: string, serialized: string, now: number): 'kept' | 'already' | 'too-large' | 'expired' {
  const record = readRecord(kv, key, now);
  if (record === undefined) return 'expired';
  if (record.result !== undefined) return 'already';
  if (serialized.length > MAX_IDEMPOTENT_RESULT_CHARS) return 'too-large';
  kv.put(recordKey(key), { ...record, result: serialized });
  return 'kept';
}
