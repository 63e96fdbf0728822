/**
 * Delivery of `lmz.publish` (mesh spec §9 items 7 and 11): up to `maxDirect` reachable subscribers
 * the publisher delivers itself; past that, through the fan-out tiers, so the publisher makes at
 * most ⌈n^(1/L)⌉ outbound calls per `maxRecipients` chunk. Failed deliveries go to `onFailure`
 * (which removes gone subscribers).
 *
 * Ordering, per publisher instance and topic (kept in memory; pending deliveries keep the DO in
 * memory, so it is not evicted while any is outstanding):
 * - a tiered publish starts only after every earlier publish to the topic has settled;
 * - a direct publish starts only after every earlier tiered publish has settled, and is sent in
 *   publish order after earlier direct ones without waiting for them (pipelined).
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

/** One topic of one publisher: the last tiered publish, direct ones since, and how many are unsettled. */
interface TopicOrder {
  barrier?: Promise<void>;
  direct: Set<Promise<void>>;
  unsettled: number;
}
const orders = new WeakMap<object, Map<string, TopicOrder>>();

/** Publishes to `topic` from `host` that have not settled yet (running or waiting their turn). */
export function unsettledPublishes(host: object, topic: string): number {
  return orders.get(host)?.get(topic)?.unsettled ?? 0;
}

/**
 * Runs `deliver` for one publish in its turn (see the ordering rules above): at once, in this
 * synchronous turn, when nothing it must wait for is outstanding.
 */
export function orderPublish(host: object, topic: string, tiered: boolean, deliver: () => Promise<void>): void {
  let byTopic = orders.get(host);
  if (!byTopic) orders.set(host, (byTopic = new Map()));
  let order = byTopic.get(topic);
  if (!order) byTopic.set(topic, (order = { direct: new Set(), unsettled: 0 }));
  const o = order;
  const topics = byTopic;
  const waitFor = [...(o.barrier ? [o.barrier] : []), ...(tiered ? o.direct : [])];
  const run = waitFor.length === 0 ? deliver() : Promise.all(waitFor).then(deliver);
  o.unsettled++;
  const settled: Promise<void> = run
    .catch((error: unknown) => log.error('publish failed', { topic, error }))
    .finally(() => {
      o.direct.delete(settled);
      if (--o.unsettled === 0 && topics.get(topic) === o) topics.delete(topic);
    });
  if (tiered) {
    o.barrier = settled;
    o.direct = new Set();
  } else {
    o.direct.add(settled);
  }
}

/**
 * Delivers one publish to `rows`: directly up to `maxDirect`, else through the tiers, in chunks of at
 * most `maxRecipients`; resolves when every delivery has settled and `onFailure` has seen each
 * failure. Never rejects.
 */
export async function deliverPublish(
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
  if (log.enabled) {
    const levels = levelsFor(Math.min(rows.length, opts.maxRecipients), opts.maxDirect);
    log.debug('publish settled', { origin: `${publisher.bindingName}/${publisher.instanceName}`, topic, levels, subscribers: rows.length, delivered, failed: rows.length - delivered });
  }
}
