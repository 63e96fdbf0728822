/**
 * Pub/sub through the fan-out tiers (issue 17 part 2 and 3): a topic with more than `maxDirect`
 * subscribers is delivered by LumenizeFanoutWorker tiers, the publisher's own outbound calls stay
 * within ⌈n^(1/L)⌉, gone subscribers are removed, and two publishes arrive in publish order.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { newContinuation } from '../../src/index.ts';
import { eventually, type FanoutPublisherDO, type FanoutSubscriberDO } from './fanout-nodes.ts';
import { meshCall } from './helpers.ts';
import { logsOf, mark } from './logs.ts';

const publisher = newContinuation<FanoutPublisherDO>();
const subscriber = newContinuation<FanoutSubscriberDO>();
/** Tier logs of publishes from FANOUT_PUBLISHER `name` (other test files run in this isolate too). */
const ofPublisher = (name: string) => (r: { data?: unknown }) => (r.data as { origin?: string }).origin === `FANOUT_PUBLISHER/${name}`;
const splits = (name: string, since: number) =>
  logsOf('lmz.mesh.fanout.tier', 'debug', since).filter(ofPublisher(name)).map((r) => {
    const { levels, recipients, groups } = r.data as { levels: number; recipients: number; groups: number };
    return { levels, recipients, groups };
  });
const settled = (name: string, since: number, topic: string) =>
  logsOf('lmz.mesh.fanout.publish', 'debug', since).filter((r) => ofPublisher(name)(r) && (r.data as { topic: string }).topic === topic).map((r) => {
    const { subscribers, delivered, failed } = r.data as Record<string, number>;
    return { subscribers, delivered, failed };
  });

type Got = { list: Array<{ id: string; value: unknown; publisher: unknown }> };

/** Every CHEAP_SUBSCRIBER `${prefix}${i}` (i < instances): what it got for `topic`, read in batches. */
async function deliveries(prefix: string, instances: number, topic: string): Promise<Got[]> {
  const all: Got[] = [];
  for (let at = 0; at < instances; at += 100) {
    const batch = Array.from({ length: Math.min(100, instances - at) }, (_, i) => env.CHEAP_SUBSCRIBER.getByName(`${prefix}${at + i}`).got(topic));
    all.push(...((await Promise.all(batch)) as Got[]));
  }
  return all;
}

/** Seeds `count` subscriptions on `instances` cheap subscriber DOs through the publisher's admission. */
async function seeded(name: string, topic: string, prefix: string, count: number, instances: number): Promise<void> {
  await meshCall('FANOUT_PUBLISHER', name, publisher.publishTo('warm-up', 0)); // learns its identity
  await env.FANOUT_PUBLISHER.getByName(name).seed(topic, 'CHEAP_SUBSCRIBER', 'LumenizeDO', prefix, count, instances);
}

/**
 * Each subscriber DO got each of its subscriptions' delivery exactly once. Deliveries are kept in
 * memory (see CheapSubscriberDO): an object rebuilt mid-test loses what it got, so that fails here
 * too; it can never make a missing or doubled delivery pass.
 */
function expectEachOnce(got: Got[], name: string, prefix: string, count: number, value: unknown) {
  const instances = got.length;
  got.forEach((g, d) => {
    const expected = Array.from({ length: count / instances }, (_, k) => `sub-${prefix}${d + k * instances}`);
    expect(g.list.map((x) => x.id).sort()).toEqual(expected.sort());
    expect(g.list.filter((x) => x.value !== value)).toEqual([]);
  });
  expect(got[0].list[0].publisher).toEqual({ type: 'LumenizeDO', bindingName: 'FANOUT_PUBLISHER', instanceName: name });
}

describe('pub/sub through fan-out tiers', () => {
  it('10,000 subscriptions on 100 SQLite-backed DOs: each delivered exactly once; the publisher makes 22 outbound calls', { timeout: 120_000 }, async () => {
    const since = mark();
    const name = 'ps10k';
    await seeded(name, 'big', 'ps10k-', 10_000, 100);
    expect(await env.FANOUT_PUBLISHER.getByName(name).subscriberCount('big')).toBe(10_000);
    await meshCall('FANOUT_PUBLISHER', name, publisher.publishTo('big', 'hello'));
    await eventually(async () => (settled(name, since, 'big').length ? true : undefined));
    // The publisher's own tier: one split into ⌈∛10,000⌉ = 22 fan-out Workers, and no other outbound call.
    const top = splits(name, since).filter((s) => s.recipients === 10_000);
    expect(top).toEqual([{ levels: 3, recipients: 10_000, groups: 22 }]);
    expect(settled(name, since, 'big')).toEqual([{ subscribers: 10_000, delivered: 10_000, failed: 0 }]);
    expectEachOnce(await deliveries('ps10k-', 100, 'big'), name, 'ps10k-', 10_000, 'hello');
  });

  it('4,096 subscriptions: two tiers, 64 outbound calls from the publisher', { timeout: 60_000 }, async () => {
    const since = mark();
    const name = 'ps4k';
    await seeded(name, 'mid', 'ps4k-', 4096, 64);
    await meshCall('FANOUT_PUBLISHER', name, publisher.publishTo('mid', 42));
    await eventually(async () => (settled(name, since, 'mid').length ? true : undefined));
    expect(splits(name, since).filter((s) => s.recipients === 4096)).toEqual([{ levels: 2, recipients: 4096, groups: 64 }]);
    expectEachOnce(await deliveries('ps4k-', 64, 'mid'), name, 'ps4k-', 4096, 42);
  });

  it('two publishes from one DO reach every subscriber in publish order through the tiers', { timeout: 60_000 }, async () => {
    const since = mark();
    const name = 'psord';
    await seeded(name, 'ord', 'psord-', 200, 100);
    await meshCall('FANOUT_PUBLISHER', name, publisher.publishTwice('ord', 'first', 'second'));
    await eventually(async () => (settled(name, since, 'ord').length === 2 ? true : undefined));
    const got = await deliveries('psord-', 100, 'ord');
    for (const { list } of got) {
      const byId = new Map<string, unknown[]>();
      for (const x of list) byId.set(x.id, [...(byId.get(x.id) ?? []), x.value]);
      expect([...byId.values()]).toEqual([
        ['first', 'second'],
        ['first', 'second'],
      ]);
    }
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
    expect(splits(pub, since).filter((s) => s.recipients === 71)).toEqual([{ levels: 2, recipients: 71, groups: 9 }]);
    expect(settled(pub, since, 'news')).toEqual([{ subscribers: 71, delivered: 67, failed: 4 }]);
    for (const n of names.slice(3)) expect(await env.FANOUT_SUBSCRIBER.getByName(n).news('news')).toEqual([{ v: 1 }]);
    for (const n of names.slice(0, 3)) expect(await env.FANOUT_SUBSCRIBER.getByName(n).news('news')).toEqual([]);
    expect(await env.FANOUT_PUBLISHER.getByName(pub).subscriberCount('news')).toBe(67);
  });
});
