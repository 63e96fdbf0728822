/**
 * Tiered pub/sub to a LumenizeClient (issue 17 part 2): a client subscribed to a topic with more
 * than `maxDirect` subscribers receives each publish from a LumenizeFanoutWorker leaf through its
 * gateway, and across a socket drop the gateway's grace period holds the delivery until the client
 * is back: every publish arrives once, in publish order, with no gap.
 *
 * The client connects to the real LumenizeClientGateway of this Worker through utils' Browser; a
 * small fetch plays the router and auth middleware (it sets the verified-user and routing headers
 * the gateway trusts), because this project's Worker has no router.
 */
import { env } from 'cloudflare:test';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '@lumenize/utils';
import { LumenizeClientGateway, newContinuation } from '../../src/index.ts';
import type { LumenizeClient } from '../../src/client/index.ts';
import { until } from '../client/helpers.ts';
import { TestClient, connected, installWindowStub, makeClient } from '../client/test-client.ts';
import type { CheapDelivery, FanoutPublisherDO, TestFanoutWorker } from './fanout-nodes.ts';
import { meshCall } from './helpers.ts';
import { logsOf, mark } from './logs.ts';

const publisher = newContinuation<FanoutPublisherDO>();
const tiers = (env as unknown as { TEST_FANOUT: Service<TestFanoutWorker> }).TEST_FANOUT;

/** Router + auth middleware stand-in: `/gateway/LUMENIZE_CLIENT_GATEWAY/{user}.{tab}` → that gateway. */
const gatewayFetch: typeof fetch = (input, init) => {
  const request = new Request(input, init);
  const [, prefix, binding, instance] = new URL(request.url).pathname.split('/');
  if (prefix !== 'gateway' || binding !== 'LUMENIZE_CLIENT_GATEWAY' || !instance) return Promise.resolve(new Response('Not found', { status: 404 }));
  const headers = new Headers(request.headers);
  headers.set('X-Auth-User-Id', instance.split('.')[0]);
  headers.set('X-Auth-Claims', '{}');
  headers.set('X-Lumenize-DO-Binding-Name', binding);
  headers.set('X-Lumenize-DO-Instance-Name-Or-Id', instance);
  return env.LUMENIZE_CLIENT_GATEWAY.getByName(instance).fetch(new Request(request, { headers }));
};

/** `publish settled` logs of FANOUT_PUBLISHER `name` for `topic`. */
const settled = (name: string, since: number, topic: string) =>
  logsOf('lmz.mesh.fanout.publish', 'debug', since)
    .filter((r) => (r.data as { origin?: string; topic?: string }).origin === `FANOUT_PUBLISHER/${name}` && (r.data as { topic: string }).topic === topic)
    .map((r) => {
      const { levels, subscribers, delivered, failed } = r.data as Record<string, number>;
      return { levels, subscribers, delivered, failed };
    });

const live: LumenizeClient[] = [];
// The reconnect must land inside the grace period, whatever the machine's load: a native alarm
// must not decide the test, so grace is 2 minutes here (the class static the gateway reads live;
// no other gateway in this project has a grace alarm: their clients never connect).
const grace = LumenizeClientGateway.gracePeriodMs;
beforeAll(() => {
  LumenizeClientGateway.gracePeriodMs = 120_000;
});
afterAll(() => {
  LumenizeClientGateway.gracePeriodMs = grace;
});
afterEach(() => {
  for (const c of live.splice(0)) c.disconnect();
});

describe('tiered pub/sub to a client through its gateway', () => {
  it('a subscribed client gets tiered publishes from a fan-out leaf via its gateway, in order, with none lost or repeated across a reconnect', { timeout: 60_000 }, async () => {
    const since = mark();
    const name = 'psclient';
    const topic = 'room';
    const win = installWindowStub();
    const made = makeClient(TestClient, 'fanny', { refresh: async () => 'sim-token' }, new Browser(gatewayFetch));
    live.push(made.client);
    const { client } = made;
    await connected(client);
    await meshCall('FANOUT_PUBLISHER', name, publisher.publishTo('warm-up', 0)); // learns its identity
    const sub = client.subscribe('FANOUT_PUBLISHER', name, topic, client.ctn<TestClient>().onResult(client.ctn().$result));
    await until(() => sub.status === 'active', 'active');
    // 70 more subscribers (cheap DOs): 71 > maxDirect, so every publish goes through the tiers.
    await env.FANOUT_PUBLISHER.getByName(name).seed(topic, 'CHEAP_SUBSCRIBER', 'LumenizeDO', 'psclient-', 70);
    expect(await env.FANOUT_PUBLISHER.getByName(name).subscriberCount(topic)).toBe(71);

    await meshCall('FANOUT_PUBLISHER', name, publisher.publishTo(topic, { n: 1 }));
    await until(() => client.handled.length === 1, 'first publish');
    expect(client.handled).toEqual([{ n: 1 }]);
    // The publisher called ⌈√71⌉ = 9 fan-out Workers and no subscriber itself; the client's delivery came from a leaf.
    const calls = await tiers.callsFrom(`FANOUT_PUBLISHER/${name}`);
    expect(calls).toHaveLength(9);
    expect(calls.every((c) => c.levels === 1)).toBe(true);

    // The socket drops; while the gateway is in its grace period two more publishes go out.
    // Blocked: under load the client's own 1 s backoff could otherwise reconnect before `online`.
    made.sockets.block();
    made.sockets.drop();
    await until(() => client.connectionState === 'reconnecting', 'reconnecting');
    await meshCall('FANOUT_PUBLISHER', name, publisher.publishTo(topic, { n: 2 }));
    await meshCall('FANOUT_PUBLISHER', name, publisher.publishTo(topic, { n: 3 }));
    // The DO subscribers already have {n:2}; the client's leaf is held by its gateway until the reconnect.
    await until(async () => ((await env.CHEAP_SUBSCRIBER.getByName('psclient-69').got(topic)) as CheapDelivery[])[0]?.count === 2, 'DO subscribers got n=2');
    expect(client.handled).toEqual([{ n: 1 }]);
    expect(settled(name, since, topic)).toEqual([{ levels: 2, subscribers: 71, delivered: 71, failed: 0 }]);

    made.sockets.unblock();
    win.dispatchEvent(new Event('online'));
    await connected(client);
    await until(() => client.handled.length === 3, 'held publishes after the reconnect');
    await meshCall('FANOUT_PUBLISHER', name, publisher.publishTo(topic, { n: 4 }));
    await until(() => client.handled.length === 4, 'publish after the reconnect');
    expect(client.handled).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]);
    expect(sub.status).toBe('active');
    await until(() => settled(name, since, topic).length === 4, 'all settled');
    expect(settled(name, since, topic)).toEqual(Array(4).fill({ levels: 2, subscribers: 71, delivered: 71, failed: 0 }));
    expect(((await env.CHEAP_SUBSCRIBER.getByName('psclient-0').got(topic)) as CheapDelivery[])[0]).toMatchObject({ count: 4, values: [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }] });
  });
});
