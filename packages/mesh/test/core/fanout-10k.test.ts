/**
 * Issue 17 must-show: `lmz.publish` to 10,000 distinct SQLite-backed subscriber DOs. Every one
 * records its delivery in its own storage exactly once, and the publisher makes ⌈∛10,000⌉ = 22
 * outbound calls (counted by the tier Worker that receives them).
 *
 * Local resources, not the code under test, shape how: the test tiers (TestFanoutWorker) keep at
 * most 4 subscriber deliveries in flight per tier invocation and evict each subscriber DO once its
 * delivery answered, reading its storage first (fanout-nodes.ts, evictingSubscribers). Otherwise
 * local workerd holds 3 descriptors per live SQLite DO for ~10 s and 10,000 of them exceed this
 * machine's 20,000-descriptor limit (SQLITE_CANTOPEN at ~6,600).
 */
import { env, evictDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { newContinuation, type NodeIdentity } from '../../src/index.ts';
import { eventually, type CheapDelivery, type FanoutPublisherDO, type TestFanoutWorker } from './fanout-nodes.ts';
import { meshCall } from './helpers.ts';
import { logsOf, mark } from './logs.ts';

const publisher = newContinuation<FanoutPublisherDO>();
const tiers = (env as unknown as { TEST_FANOUT: Service<TestFanoutWorker> }).TEST_FANOUT;
const N = 10_000;
/** Every this-many-th subscriber is also read back from a fresh instance after eviction. */
const REREAD_EVERY = 10;

describe('pub/sub fan-out to 10,000 distinct subscriber DOs', () => {
  it('each of 10,000 subscriber DOs stores exactly one delivery in its own storage; the publisher makes 22 outbound calls', { timeout: 240_000 }, async () => {
    const since = mark();
    const name = 'ps10k-distinct';
    const prefix = 'd10k-';
    await meshCall('FANOUT_PUBLISHER', name, publisher.publishTo('warm-up', 0)); // learns its identity
    const pub = env.FANOUT_PUBLISHER.getByName(name);
    await pub.seed('big', 'CHEAP_SUBSCRIBER', 'LumenizeDO', prefix, N);
    expect(await pub.subscriberCount('big')).toBe(N);

    await meshCall('FANOUT_PUBLISHER', name, publisher.publishTo('big', 'hello'));
    const settled = () =>
      logsOf('lmz.mesh.fanout.publish', 'debug', since)
        .map((r) => r.data as { origin?: string; topic?: string; levels: number; subscribers: number; delivered: number; failed: number })
        .filter((d) => d.origin === `FANOUT_PUBLISHER/${name}` && d.topic === 'big')
        .map(({ levels, subscribers, delivered, failed }) => ({ levels, subscribers, delivered, failed }));
    await eventually(async () => (settled().length ? true : undefined));
    expect(settled()).toEqual([{ levels: 3, subscribers: N, delivered: N, failed: 0 }]);

    // Branches the tier Worker received for this publisher: the publisher's own outbound calls are
    // the 22 with levels 2 (it delivers to no subscriber itself); their 484 leaves hold all 10,000.
    const calls = await tiers.callsFrom(`FANOUT_PUBLISHER/${name}`);
    const fromPublisher = calls.filter((c) => c.levels === 2);
    expect(fromPublisher).toHaveLength(22);
    expect(fromPublisher.reduce((n, c) => n + c.recipients, 0)).toBe(N);
    const leaves = calls.filter((c) => c.levels === 1);
    expect(leaves).toHaveLength(22 * 22);
    expect(leaves.reduce((n, c) => n + c.recipients, 0)).toBe(N);

    // Each subscriber got exactly one delivery, and its storage held exactly that one right after.
    const who: NodeIdentity = { type: 'LumenizeDO', bindingName: 'FANOUT_PUBLISHER', instanceName: name };
    const expected = (i: number): CheapDelivery[] => [{ id: `sub-${prefix}${i}`, count: 1, values: ['hello'], publisher: who }];
    const atDelivery = (await tiers.storedAtDelivery('big', prefix, N)) as unknown as CheapDelivery[][][];
    const once = atDelivery.filter((deliveries, i) => deliveries.length === 1 && JSON.stringify(deliveries[0]) === JSON.stringify(expected(i)));
    expect(once.length).toBe(N);
    const load = await tiers.subscriberLoad();
    expect(load.peak).toBeLessThanOrEqual(484 * 4);

    // And it is durable: a fresh instance of every 10th subscriber (evicted since) reads the same.
    for (let at = 0; at < N; at += 500 * REREAD_EVERY) {
      const idx = Array.from({ length: 500 }, (_, k) => at + k * REREAD_EVERY).filter((i) => i < N);
      const stubs = idx.map((i) => env.CHEAP_SUBSCRIBER.getByName(`${prefix}${i}`));
      const lists = (await Promise.all(stubs.map((s) => s.got('big')))) as CheapDelivery[][];
      lists.forEach((list, k) => expect(list).toEqual(expected(idx[k])));
      await Promise.all(stubs.map((s) => evictDurableObject(s)));
    }
  });
});
