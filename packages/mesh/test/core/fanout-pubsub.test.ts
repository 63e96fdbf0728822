/**
 * Pub/sub through the fan-out tiers (issue 17 parts 2 and 3): a topic with more than `maxDirect`
 * subscribers is delivered by LumenizeFanoutWorker tiers, the publisher's own outbound calls stay
 * within ⌈n^(1/L)⌉ (counted by the tier Worker that receives them), every subscriber DO counts its
 * deliveries in its own storage, gone subscribers are removed, and publishes keep publish order.
 */
import { env, evictDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { newContinuation } from '../../src/index.ts';
import { eventually, type CheapDelivery, type FanoutPublisherDO, type FanoutSubscriberDO, type TestFanoutWorker } from './fanout-nodes.ts';
import { meshCall } from './helpers.ts';
import { logsOf, mark } from './logs.ts';

const publisher = newContinuation<FanoutPublisherDO>();
const subscriber = newContinuation<FanoutSubscriberDO>();
/** FanoutPublisherDO's tier Worker (`static fanoutOptions = { binding: 'TEST_FANOUT' }`), over raw RPC. */
const tiers = (env as unknown as { TEST_FANOUT: Service<TestFanoutWorker> }).TEST_FANOUT;

/** `publish settled` logs of FANOUT_PUBLISHER `name` for `topic` (other test files run in this isolate too). */
const settled = (name: string, since: number, topic: string) =>
  logsOf('lmz.mesh.fanout.publish', 'debug', since)
    .filter((r) => (r.data as { origin?: string; topic?: string }).origin === `FANOUT_PUBLISHER/${name}` && (r.data as { topic: string }).topic === topic)
    .map((r) => {
      const { levels, subscribers, delivered, failed } = r.data as Record<string, number>;
      return { levels, subscribers, delivered, failed };
    });

/**
 * What every `every`-th CHEAP_SUBSCRIBER `${prefix}${i}` (i < instances) stored for `topic`, read in parallel
 * batches, each subscriber evicted after its read: local workerd keeps a live DO's SQLite files open
 * (3 descriptors each) for ~10 s after its last event, and 20,000 descriptors is the process limit here.
 */
async function stored(prefix: string, instances: number, topic: string, every = 1): Promise<CheapDelivery[][]> {
  const all: CheapDelivery[][] = [];
  for (let at = 0; at < instances; at += 500 * every) {
    const idx = Array.from({ length: 500 }, (_, k) => at + k * every).filter((i) => i < instances);
    const stubs = idx.map((i) => env.CHEAP_SUBSCRIBER.getByName(`${prefix}${i}`));
    all.push(...((await Promise.all(stubs.map((s) => s.got(topic)))) as CheapDelivery[][]));
    await Promise.all(stubs.map((s) => evictDurableObject(s)));
  }
  return all;
}

/** Seeds `count` subscriptions on `instances` cheap subscriber DOs through the publisher's admission. */
async function seeded(name: string, topic: string, prefix: string, count: number, instances = count): Promise<void> {
  await meshCall('FANOUT_PUBLISHER', name, publisher.publishTo('warm-up', 0)); // learns its identity
  await env.FANOUT_PUBLISHER.getByName(name).seed(topic, 'CHEAP_SUBSCRIBER', 'LumenizeDO', prefix, count, instances);
}

describe('pub/sub through fan-out tiers', () => {
  // 10,000 distinct subscriber DOs (22 outbound calls from the publisher): fanout-10k.test.ts.
  it('4,096 subscriber DOs: two tiers, 64 outbound calls from the publisher, each subscriber delivered once', { timeout: 120_000 }, async () => {
    const since = mark();
    const name = 'ps4k';
    await seeded(name, 'mid', 'ps4k-', 4096);
    await meshCall('FANOUT_PUBLISHER', name, publisher.publishTo('mid', 42));
    await eventually(async () => (settled(name, since, 'mid').length ? true : undefined));
    expect(settled(name, since, 'mid')).toEqual([{ levels: 2, subscribers: 4096, delivered: 4096, failed: 0 }]);
    const calls = await tiers.callsFrom(`FANOUT_PUBLISHER/${name}`);
    expect(calls.filter((c) => c.levels === 1)).toHaveLength(64);
    expect(calls.filter((c) => c.levels !== 1)).toEqual([]);
    // Each subscriber's storage right after its one delivery (read by the test tier before evicting it),
    // and a fresh instance of every 8th one.
    const atDelivery = (await tiers.storedAtDelivery('mid', 'ps4k-', 4096)) as unknown as CheapDelivery[][][];
    atDelivery.forEach((deliveries, i) => expect(deliveries.map((list) => list.map((d) => [d.id, d.count, d.values]))).toEqual([[[`sub-ps4k-${i}`, 1, [42]]]]));
    const sample = await stored('ps4k-', 4096, 'mid', 8);
    sample.forEach((list, k) => expect(list.map((d) => [d.id, d.count, d.values])).toEqual([[`sub-ps4k-${k * 8}`, 1, [42]]]));
  });

  it('publish order through the tiers: while a tiered publish is held, later publishes (tiered and flat) wait; every subscriber gets them in order', { timeout: 60_000 }, async () => {
    const since = mark();
    const name = 'psord';
    await seeded(name, 'ord', 'psord-', 70);
    // 1st: tiered (70 > 64) and held in its leaf tier; 2nd: tiered; then 6 rows go, 3rd: direct (64).
    const first = { n: 1, hold: true };
    await meshCall('FANOUT_PUBLISHER', name, publisher.publishSequence('ord', [first, { n: 2 }, { n: 3 }], 64));
    await eventually(async () => ((await tiers.held()) === 9 ? true : undefined)); // ⌈√70⌉ = 9 leaves held
    // The later publishes are waiting their turn (or, were the order not kept, already delivered).
    const delivered = async () => (await stored('psord-', 70, 'ord')).some((list) => list.some((d) => d.values.length > 0));
    await eventually(async () => ((await env.FANOUT_PUBLISHER.getByName(name).unsettled('ord')) === 3 || (await delivered()) ? true : undefined));
    expect(await delivered()).toBe(false);
    expect(await tiers.release()).toBe(9);
    await eventually(async () => (settled(name, since, 'ord').length === 3 ? true : undefined));
    expect(settled(name, since, 'ord')).toEqual([
      { levels: 2, subscribers: 70, delivered: 70, failed: 0 },
      { levels: 2, subscribers: 70, delivered: 70, failed: 0 },
      { levels: 1, subscribers: 64, delivered: 64, failed: 0 },
    ]);
    const got = await stored('psord-', 70, 'ord');
    got.forEach((list, i) => expect(list.map((d) => d.values)).toEqual([i < 64 ? [first, { n: 2 }, { n: 3 }] : [first, { n: 2 }]]));
  });

  it('LumenizeDO subscribers get the value in their handler; gone subscribers (unknown subscription, disconnected client) are removed after a tiered publish', { timeout: 60_000 }, async () => {
    const since = mark();
    const pub = 'psreal';
    await meshCall('FANOUT_PUBLISHER', pub, publisher.publishTo('warm-up', 0));
    const names = Array.from({ length: 70 }, (_, i) => `psreal-s${i}`);
    await Promise.all(names.map((n) => meshCall('FANOUT_SUBSCRIBER', n, subscriber.follow('FANOUT_PUBLISHER', pub, 'news'))));
    for (const n of names) await eventually(async () => ((await env.FANOUT_SUBSCRIBER.getByName(n).status()).includes('active') ? true : undefined));
    await env.FANOUT_PUBLISHER.getByName(pub).seed('news', 'LUMENIZE_CLIENT_GATEWAY', 'LumenizeClient', 'ghost.', 1);
    for (const n of names.slice(0, 3)) await env.FANOUT_SUBSCRIBER.getByName(n).forget();
    expect(await env.FANOUT_PUBLISHER.getByName(pub).subscriberCount('news')).toBe(71);

    await meshCall('FANOUT_PUBLISHER', pub, publisher.publishTo('news', { v: 1 }));
    await eventually(async () => (settled(pub, since, 'news').length ? true : undefined));
    expect((await tiers.callsFrom(`FANOUT_PUBLISHER/${pub}`)).filter((c) => c.levels === 1)).toHaveLength(9);
    expect(settled(pub, since, 'news')).toEqual([{ levels: 2, subscribers: 71, delivered: 67, failed: 4 }]);
    for (const n of names.slice(3)) expect(await env.FANOUT_SUBSCRIBER.getByName(n).news('news')).toEqual([{ v: 1 }]);
    for (const n of names.slice(0, 3)) expect(await env.FANOUT_SUBSCRIBER.getByName(n).news('news')).toEqual([]);
    expect(await env.FANOUT_PUBLISHER.getByName(pub).subscriberCount('news')).toBe(67);
  });
});
