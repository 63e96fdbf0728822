/**
 * Pub/sub on top of fan-out: `lmz.publish` to more than `maxDirect` reachable subscribers delivers
 * through the tiers (mesh spec §9 items 7 and 11), so the publisher makes at most ⌈n^(1/L)⌉
 * outbound calls per `maxRecipients` chunk. Gone subscribers found in the summary are removed.
 *
 * Ordering: per publisher instance and topic, a publish waits until every delivery of an earlier
 * tiered publish to that topic has settled (a FIFO in memory; pending I/O keeps the DO in memory,
 * so it cannot be evicted while the queue is non-empty). Two publishes therefore reach each
 * subscriber in publish order, whichever path each took.
 */
import { debug } from '@lumenize/debug';
import type { LmzIntermediate } from '@lumenize/structured-clone';
import type { NodeIdentity, NodeType } from '../protocol.ts';
import { FANOUT_JOB_VERSION, type FanoutTarget } from './job.ts';
import type { ResolvedFanoutOptions } from './limits.ts';
import { levelsFor } from './tiering.ts';
import { runTier } from './tier.ts';

const log = debug('lmz.mesh.fanout.publish');

/** A subscriber row of the publisher's `__lmz_subscribers` table. */
export interface TieredSubscriber {
  subscription_id: string;
  binding: string;
  instance: string;
  kind: string;
}

/** Called for each delivery that failed, with the row's address and the error. */
export type DeliveryFailureHandler = (binding: string, instance: string, subscriptionId: string, error: Error) => void;

const queues = new WeakMap<object, Map<string, Promise<void>>>();

/** True when an earlier tiered publish to `topic` from `host` has not settled yet. */
export function hasPendingPublish(host: object, topic: string): boolean {
  return queues.get(host)?.has(topic) === true;
}

/** Runs `work` after every earlier queued publish to `topic` from `host` has settled. */
export function enqueuePublish(host: object, topic: string, work: () => void | Promise<void>): void {
  let byTopic = queues.get(host);
  if (!byTopic) queues.set(host, (byTopic = new Map()));
  const previous = byTopic.get(topic) ?? Promise.resolve();
  const next: Promise<void> = previous
    .then(work)
    .catch((error: unknown) => log.error('publish failed', { topic, error }))
    .finally(() => {
      if (byTopic.get(topic) === next) byTopic.delete(topic);
    });
  byTopic.set(topic, next);
}

/**
 * Delivers one publish through the fan-out tiers, in chunks of at most `maxRecipients`; resolves
 * when every delivery has settled and `onFailure` has seen each failure. Never rejects.
 */
export async function publishTiered(
  env: object,
  topic: string,
  value: LmzIntermediate,
  publisher: NodeIdentity,
  rows: readonly TieredSubscriber[],
  opts: ResolvedFanoutOptions,
  onFailure: DeliveryFailureHandler,
): Promise<void> {
  const targets: FanoutTarget[] = rows.map((r) => ({ bindingName: r.binding, instanceName: r.instance, kind: r.kind as NodeType, subscriptionId: r.subscription_id }));
  const chunks: FanoutTarget[][] = [];
  for (let at = 0; at < targets.length; at += opts.maxRecipients) chunks.push(targets.slice(at, at + opts.maxRecipients));
  const summaries = await Promise.all(
    chunks.map((recipients) =>
      runTier(env, {
        v: FANOUT_JOB_VERSION,
        levels: levelsFor(recipients.length, opts.maxDirect),
        binding: opts.binding,
        timeoutMs: opts.branchTimeoutMs,
        work: { type: 'publish', topic, value, publisher },
        recipients,
      }),
    ),
  );
  let delivered = 0;
  for (const summary of summaries) {
    delivered += summary.delivered;
    for (const f of summary.failed) onFailure(f.recipient.bindingName, f.recipient.instanceName ?? '', f.recipient.subscriptionId ?? '', f.error);
  }
  if (log.enabled) log.debug('tiered publish settled', { origin: `${publisher.bindingName}/${publisher.instanceName}`, topic, subscribers: rows.length, delivered, failed: rows.length - delivered });
}
