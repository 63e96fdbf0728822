/**
 * Compact forms of a batch's entries, computed once by the client (so an entry whose arguments cannot
 * be encoded fails alone, before sending) and reused by the transports. Custom transports call
 * {@link encodeBatchRequest} to get the wire text.
 */
import type { RpcBatchRequest } from '../types.ts';
import { encodeEntry, encodeRequestMessage } from '../wire.ts';
import { argumentTransform } from './argument-transform.ts';

const compact = new WeakMap<RpcBatchRequest, unknown[]>();

/** Internal: remembers the compact entries of `batch`. */
export function setCompactEntries(batch: RpcBatchRequest, entries: unknown[]): void {
  compact.set(batch, entries);
}

/**
 * The wire text of a batch for message `type` (the prefix without slashes, default `'__rpc'`).
 * @example socket.send(encodeBatchRequest(batch, '__rpc'))
 */
export function encodeBatchRequest(batch: RpcBatchRequest, type: string): string {
  const entries = compact.get(batch) ?? batch.batch.map((e) => encodeEntry(e, argumentTransform));
  return encodeRequestMessage(type, entries);
}
