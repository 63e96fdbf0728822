/**
 * One node of the fan-out tree: with one level left it delivers; otherwise it splits its recipients
 * into ⌈n^(1/L)⌉ groups and hands each to a LumenizeFanoutWorker with L − 1 levels, in parallel.
 * The originator runs the first tier itself. A branch that throws or times out is reported with
 * every recipient it held; nothing is dropped.
 */
import { debug } from '@lumenize/debug';
import type { LmzIntermediate } from '@lumenize/structured-clone';
import { toError } from '../envelope.ts';
import { deliverDirect } from './deliver.ts';
import { FanoutBranchError } from './errors.ts';
import { originOf, type FanoutJob, type FanoutTarget } from './job.ts';
import { TIER_MARGIN_MS } from './limits.ts';
import { decodeSummary, mergeSummary, type FanoutSummary } from './summary.ts';
import { ceilRoot, splitGroups } from './tiering.ts';
import { deadline, type Deadline } from './timeout.ts';

const log = debug('lmz.mesh.fanout.tier');

/** The RPC surface of LumenizeFanoutWorker that tiers use. */
interface FanoutWorkerStub {
  __lmzFanout(job: FanoutJob): Promise<LmzIntermediate>;
}

/** A disposable handle on the fan-out Worker binding, held with `using` at the call site. */
function fanoutStub(env: object, binding: string): FanoutWorkerStub & Disposable {
  const target = (env as Record<string, FanoutWorkerStub & Partial<Disposable>>)[binding];
  return {
    __lmzFanout: (job) => target.__lmzFanout(job),
    [Symbol.dispose]() {
      target[Symbol.dispose]?.();
    },
  };
}

/** A child waits less than its parent, so the deepest failure is the one reported. */
function childTimeout(parentMs: number): number {
  return parentMs > 2 * TIER_MARGIN_MS ? parentMs - TIER_MARGIN_MS : Math.max(1, Math.floor(parentMs * 0.75));
}

async function branch(env: object, job: FanoutJob, recipients: FanoutTarget[], due: Deadline): Promise<FanoutSummary> {
  const child: FanoutJob = { ...job, levels: job.levels - 1, timeoutMs: childTimeout(job.timeoutMs), recipients };
  try {
    using stub = fanoutStub(env, job.binding);
    const wire = await due.race(Promise.resolve(stub.__lmzFanout(child)), `Fan-out worker '${job.binding}'`, recipients.length);
    const summary = decodeSummary(wire);
    if (summary.total !== recipients.length) throw new TypeError(`Fan-out summary counts ${summary.total} recipients for a branch of ${recipients.length}`);
    return summary;
  } catch (e) {
    const cause = toError(e);
    const error = cause instanceof FanoutBranchError ? cause : new FanoutBranchError(`A fan-out branch of ${recipients.length} recipients failed (${cause.message}); delivery to them is unknown`, recipients.length, { cause });
    log.warn('branch failed', { origin: originOf(job), binding: job.binding, levels: child.levels, recipients: recipients.length, error: cause });
    return { total: recipients.length, delivered: 0, failed: recipients.map((recipient) => ({ recipient, error })) };
  }
}

/** Runs this node's part of the fan-out; never rejects. */
export async function runTier(env: object, job: FanoutJob): Promise<FanoutSummary> {
  if (job.levels <= 1) return deliverDirect(env, job);
  const groups = splitGroups(job.recipients, ceilRoot(job.recipients.length, job.levels));
  if (log.enabled) log.debug('split', { origin: originOf(job), levels: job.levels, recipients: job.recipients.length, groups: groups.length });
  const due = deadline(job.timeoutMs);
  const parts = await Promise.all(groups.map((g) => branch(env, job, g, due)));
  due.clear();
  const summary: FanoutSummary = { total: 0, delivered: 0, failed: [] };
  for (const part of parts) mergeSummary(summary, part);
  return summary;
}
