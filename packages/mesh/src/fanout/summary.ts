/**
 * `FanoutSummary`: what a fan-out did, aggregated up the tiers. Between tiers it travels as one
 * structured-clone intermediate, so errors keep their class and fields.
 */
import { postprocess, preprocess, type LmzIntermediate } from '@lumenize/structured-clone';
import type { FanoutTarget } from './job.ts';

/** One recipient a fan-out could not deliver to (or cannot say it did), with why. */
export interface FanoutFailure<R = FanoutTarget> {
  recipient: R;
  error: Error;
}

/**
 * The outcome of `svc.fanout.send`: `total` recipients, `delivered` answered without error, and
 * `failed` every other one (never dropped). `delivered + failed.length === total`.
 */
export interface FanoutSummary<R = FanoutTarget> {
  total: number;
  delivered: number;
  failed: Array<FanoutFailure<R>>;
}

/** Adds `part` into `into`. */
export function mergeSummary(into: FanoutSummary, part: FanoutSummary): void {
  into.total += part.total;
  into.delivered += part.delivered;
  for (const f of part.failed) into.failed.push(f);
}

/** The wire form of a summary. */
export function encodeSummary(summary: FanoutSummary): LmzIntermediate {
  return preprocess(summary);
}

/** A summary from its wire form; throws a TypeError when the shape is not one. */
export function decodeSummary(wire: unknown): FanoutSummary {
  const s = postprocess(wire as LmzIntermediate) as Partial<FanoutSummary> | null;
  if (
    typeof s !== 'object' ||
    s === null ||
    typeof s.total !== 'number' ||
    typeof s.delivered !== 'number' ||
    !Array.isArray(s.failed) ||
    !s.failed.every((f) => typeof f === 'object' && f !== null && f.error instanceof Error && typeof f.recipient === 'object')
  ) {
    throw new TypeError('Invalid fan-out summary from a tier');
  }
  return s as FanoutSummary;
}
