/** Inspect mode: capture the last outgoing batch (after OCAN processing, before serialization). */
import type { RpcBatchRequest } from '../types.ts';

let enabled = false;
let last: RpcBatchRequest | null = null;

/**
 * Turns capture of the last outgoing batch on or off (off clears it).
 * @example setInspectMode(true); await client.add(1, 2); getLastBatchRequest()?.batch.length // 1
 */
export function setInspectMode(on: boolean): void {
  enabled = on;
  if (!on) last = null;
}

/** The last batch captured while inspect mode is on, or null. */
export function getLastBatchRequest(): RpcBatchRequest | null {
  return last;
}

/** Internal: called by the batcher for every batch it sends. */
export function captureBatch(batch: RpcBatchRequest): void {
  if (enabled) last = batch;
}
