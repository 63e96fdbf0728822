/**
 * Fan-out limits and options (mesh spec §9 item 11). Defaults are constants here; a DO class sets
 * its own with `static fanoutOptions = { ... }`, and one `send` may override them (4th argument).
 */
import { FanoutLimitError } from './errors.ts';

/** Default `maxDirect`: most recipients one node calls itself; above it, tiers of fan-out Workers. */
export const MAX_DIRECT = 64;
/** Default `maxRecipients` of one send. */
export const MAX_RECIPIENTS = 10_000;
/** `maxRecipients` can never be raised above this (64³). */
export const HARD_MAX_RECIPIENTS = 262_144;
/** Default time a node waits for one branch (a fan-out Worker, or a recipient at the last tier). */
export const BRANCH_TIMEOUT_MS = 45_000;
/** Each tier below waits this much less than its parent (a quarter less below 4 s), so the deepest failure is the one reported. */
export const TIER_MARGIN_MS = 2_000;
/** Default service binding of the LumenizeFanoutWorker entrypoint. */
export const FANOUT_BINDING = 'LUMENIZE_FANOUT';

/** Fan-out tuning. Every field is optional; unset fields take the defaults above. */
export interface FanoutOptions {
  /** Most recipients a node delivers to directly (default 64). Decides the number of levels. */
  maxDirect?: number;
  /** Most recipients of one send (default 10,000; at most 262,144). More throws FanoutLimitError. */
  maxRecipients?: number;
  /** Service binding of LumenizeFanoutWorker (default `LUMENIZE_FANOUT`). */
  binding?: string;
  /** How long a node waits for one branch before reporting its recipients failed (default 45 s). */
  branchTimeoutMs?: number;
}

/** Options with every default filled in. */
export type ResolvedFanoutOptions = Required<FanoutOptions>;

function positiveInt(name: string, value: unknown, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new FanoutLimitError(`Invalid fan-out option ${name}: ${String(value)}; expected an integer from 1 to ${max}`, 'INVALID_OPTION', max);
  }
  return value;
}

/** Layers `over` on `base` and the defaults; throws FanoutLimitError naming a bad field. */
export function resolveFanoutOptions(base: unknown, over?: unknown): ResolvedFanoutOptions {
  for (const o of [base, over]) {
    if (o !== undefined && (typeof o !== 'object' || o === null || Array.isArray(o))) {
      throw new FanoutLimitError('Invalid fan-out options: expected an object { maxDirect?, maxRecipients?, binding?, branchTimeoutMs? }', 'INVALID_OPTION', 0);
    }
  }
  const merged = { ...(base as FanoutOptions | undefined), ...(over as FanoutOptions | undefined) };
  const binding = merged.binding ?? FANOUT_BINDING;
  if (typeof binding !== 'string' || binding === '') throw new FanoutLimitError('Invalid fan-out option binding: expected a binding name', 'INVALID_OPTION', 0);
  return {
    maxDirect: positiveInt('maxDirect', merged.maxDirect, MAX_DIRECT),
    maxRecipients: positiveInt('maxRecipients', merged.maxRecipients, MAX_RECIPIENTS, HARD_MAX_RECIPIENTS),
    binding,
    branchTimeoutMs: positiveInt('branchTimeoutMs', merged.branchTimeoutMs, BRANCH_TIMEOUT_MS),
  };
}
