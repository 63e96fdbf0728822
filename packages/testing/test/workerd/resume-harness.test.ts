/**
 * Gap-free resume on the fault harness: a LumenizeClient streams calls both ways while the
 * FaultyNetwork drops its socket abruptly at seeded points and `hibernate()` tears the gateway down
 * between phases. Every call runs exactly once, in order per direction; the gateway's counters come
 * back from the socket attachment. The hibernation test moved here from the mesh package's
 * resume.test.ts (which hand-rolled evictDurableObject); mesh keeps its 1,000-call run, whose drops
 * are the client's own close (4000), a different fault from the harness's network drop.
 */
import { runInDurableObject } from 'cloudflare:test';
import { afterEach, describe, expect, it } from 'vitest';
import { testLoginWithMagicLink } from '@lumenize/auth';
import { LumenizeClient, mesh } from '@lumenize/mesh';
import { Browser, FaultyNetwork, createTestingClient, hibernate } from '../../src/index.ts';
import { seededRandom } from '../../src/seeded-random.ts';
import { APP_ORIGIN } from '../fixtures/app.ts';
import type { CounterNode } from '../fixtures/mesh-nodes.ts';
import { testEnv, unique } from '../env.ts';

/** A tab that records every DO → client call. */
class StreamTab extends LumenizeClient {
  received: number[] = [];
  @mesh
  receive(n: number): number {
    this.received.push(n);
    return n;
  }
}

/** The client's retry trigger (`online`): tests bring a client back at once instead of waiting for backoff. */
function windowStub(): EventTarget {
  const g = globalThis as { window?: EventTarget };
  g.window ??= new EventTarget();
  return g.window;
}
windowStub();

/** Polls `predicate` across real I/O turns (no elapsed-time assertions). */
async function until(predicate: () => boolean | Promise<boolean>, what: string, attempts = 2000): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const open: LumenizeClient[] = [];
afterEach(() => {
  for (const c of open.splice(0)) c.disconnect();
});

interface Rig {
  client: StreamTab;
  net: FaultyNetwork;
  counter: string;
  gateway: DurableObjectStub;
}

async function rig(): Promise<Rig> {
  const net = new FaultyNetwork({ seed: 11 });
  const browser = new Browser(net.fetch);
  const userId = await testLoginWithMagicLink(browser, `${unique('resume')}@example.com`, APP_ORIGIN);
  const instanceName = `${userId}.${unique('tab')}`;
  const client = new StreamTab({ instanceName, baseUrl: APP_ORIGIN, WebSocket: browser.WebSocket, fetch: browser.fetch, callTimeoutMs: 60_000 });
  open.push(client);
  await until(() => client.connectionState === 'connected', 'connected');
  return { client, net, counter: unique('stream'), gateway: testEnv.LUMENIZE_CLIENT_GATEWAY.getByName(instanceName) };
}

/** The harness's abrupt drop, then the client brought back at once. */
async function dropAndReconnect(r: Rig): Promise<void> {
  const before = r.net.connections.length;
  r.net.last!.drop();
  windowStub().dispatchEvent(new Event('online'));
  await until(() => r.net.connections.length > before && r.client.connectionState === 'connected', 'reconnected');
}

/** `count` calls each way from `from`, with `drops` harness drops at seeded progress points. */
async function phase(r: Rig, from: number, count: number, drops: number, seed: number, window = 8) {
  const random = seededRandom(seed);
  const points = Array.from({ length: drops }, () => Math.floor(random() * count * 2)).sort((a, b) => a - b);
  const done = { n: 0 };
  const progress = () => done.n + r.client.received.filter((n) => n >= from).length;
  let stop = false;
  const dropper = (async () => {
    let dropped = 0;
    for (const point of points) {
      while (!stop && progress() < point) await new Promise((res) => setTimeout(res, 1));
      if (stop) break;
      await dropAndReconnect(r);
      dropped++;
    }
    return dropped;
  })();
  const answers: number[] = new Array(count);
  let next = from;
  const worker = async () => {
    while (next < from + count) {
      const n = next++;
      answers[n - from] = (await r.client.lmz.callRaw('COUNTER_NODE', r.counter, r.client.ctn<CounterNode>().record(n))) as number;
      done.n++;
    }
  };
  // Workers RPC (no batch timeout): a long stream outlives the testing client's 30 s per batch.
  const streamer = testEnv.COUNTER_NODE.getByName(`${r.counter}-out`) as unknown as Pick<CounterNode, 'streamTo'>;
  const [, inbound] = await Promise.all([Promise.all(Array.from({ length: window }, worker)), streamer.streamTo('LUMENIZE_CLIENT_GATEWAY', r.client.lmz.instanceName, from, count)]);
  stop = true;
  return { answers, inbound, dropped: await dropper };
}

/** Frames the gateway still holds for the client's acknowledgement. */
function outboxRows(gateway: DurableObjectStub): Promise<number> {
  return runInDurableObject(gateway, (_i, state) => Number(state.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM __lmz_gateway_outbox').one().n));
}

describe('gap-free resume on the fault harness', () => {
  it('abrupt harness drops at 30 seeded points during 300 calls each way: every call completes exactly once, in order', async () => {
    const r = await rig();
    const { answers, inbound, dropped } = await phase(r, 0, 300, 30, 20_261_127, 16);
    const expected = Array.from({ length: 300 }, (_, i) => i);
    expect(dropped).toBe(30);
    expect(r.net.metrics.faultDrops).toBe(30);
    expect(r.net.connections).toHaveLength(31);
    expect(answers).toEqual(expected);
    using counter = createTestingClient<typeof CounterNode>('COUNTER_NODE', r.counter);
    expect(await counter.received()).toEqual(expected);
    expect(inbound.filter((x) => !x.ok)).toEqual([]);
    expect(r.client.received).toEqual(expected);
  }, 60_000);

  it('resumes across gateway hibernation: seeded drops in each phase, hibernate() between phases; 150 calls each way run exactly once, in order', async () => {
    const r = await rig();
    const first = await phase(r, 0, 50, 5, 7);
    // Quiescent (everything answered and acknowledged): the platform may now hibernate the gateway.
    await until(async () => (await outboxRows(r.gateway)) === 0, 'every gateway frame acknowledged');
    const socketsBefore = r.net.connections.length;
    await hibernate(r.gateway);
    // Hibernation keeps the socket: no reconnect, and the next frames wake a fresh gateway.
    expect(r.net.connections).toHaveLength(socketsBefore);
    expect(r.net.last!.state).toBe('open');
    const second = await phase(r, 50, 50, 5, 8);
    await hibernate(r.gateway);
    await dropAndReconnect(r);
    const third = await phase(r, 100, 50, 0, 9);

    const expected = Array.from({ length: 150 }, (_, i) => i);
    expect([first.dropped, second.dropped, third.dropped]).toEqual([5, 5, 0]);
    expect(r.net.metrics.faultDrops).toBe(11);
    // Client → DO: each call answered with its own value, and the DO ran each exactly once, in order.
    expect([...first.answers, ...second.answers, ...third.answers]).toEqual(expected);
    using counter = createTestingClient<typeof CounterNode>('COUNTER_NODE', r.counter);
    expect(await counter.received()).toEqual(expected);
    // DO → client: every call succeeded, and the client ran each exactly once, in order.
    expect([...first.inbound, ...second.inbound, ...third.inbound].filter((x) => !x.ok)).toEqual([]);
    expect(r.client.received).toEqual(expected);
  }, 60_000);
});
