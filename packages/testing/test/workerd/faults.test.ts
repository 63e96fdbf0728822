/**
 * The fault harness at work on the real packages (issue 15 "Must show"): a LumenizeClient logged in
 * through @lumenize/auth talks to the real gateway and a mesh DO through a FaultyNetwork; every fault
 * is driven by the test and every call must run exactly once (counted in the DO's SQL storage).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { testLoginWithMagicLink } from '@lumenize/auth';
import { LumenizeClient } from '@lumenize/mesh';
import { Browser, FaultyNetwork, createTestingClient, evict, hibernate } from '../../src/index.ts';
import { APP_ORIGIN } from '../fixtures/app.ts';
import type { CounterNode } from '../fixtures/mesh-nodes.ts';
import { testEnv, unique } from '../env.ts';

class Tab extends LumenizeClient {}

/** The client's retry trigger (`online`): tests bring a client back at once instead of waiting for backoff. */
function windowStub(): EventTarget {
  const g = globalThis as { window?: EventTarget };
  g.window ??= new EventTarget();
  return g.window;
}

/** Polls `predicate` across real I/O turns (no elapsed-time assertions). */
async function until(predicate: () => boolean | Promise<boolean>, what: string, attempts = 1000): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

// Before any client is constructed: a client installs its `online` listener at construction.
windowStub();

interface Setup {
  client: Tab;
  net: FaultyNetwork;
  browser: Browser;
  userId: string;
  counter: string;
  received(): Promise<number[]>;
}

const open: LumenizeClient[] = [];
afterEach(() => {
  for (const c of open.splice(0)) c.disconnect();
});

async function setup(options: { pongTimeoutMs?: number; seed?: number } = {}): Promise<Setup> {
  const net = new FaultyNetwork({ seed: options.seed ?? 7 });
  const browser = new Browser(net.fetch);
  const email = `${unique('user')}@example.com`;
  const userId = await testLoginWithMagicLink(browser, email, APP_ORIGIN);
  const counter = unique('counter');
  const client = new Tab({
    instanceName: `${userId}.${unique('tab')}`,
    baseUrl: APP_ORIGIN,
    WebSocket: browser.WebSocket,
    fetch: browser.fetch,
    pongTimeoutMs: options.pongTimeoutMs,
  });
  open.push(client);
  await until(() => client.connectionState === 'connected', 'connected');
  const received = async (): Promise<number[]> => {
    using rpc = createTestingClient<typeof CounterNode>('COUNTER_NODE', counter);
    return rpc.received();
  };
  return { client, net, browser, userId, counter, received };
}

function record(s: Setup, n: number): Promise<unknown> {
  return s.client.lmz.callRaw('COUNTER_NODE', s.counter, s.client.ctn<CounterNode>().record(n));
}

describe('LumenizeClient under the fault harness: every call completes exactly once', () => {
  it('hibernate(gateway): the socket stays open, the next call wakes a fresh gateway and runs once', async () => {
    const s = await setup();
    expect(await record(s, 1)).toBe(1);
    await hibernate(testEnv.LUMENIZE_CLIENT_GATEWAY.getByName(s.client.lmz.instanceName));
    expect(await record(s, 2)).toBe(2);
    expect(s.net.connections).toHaveLength(1);
    expect(s.net.last!.state).toBe('open');
    expect(await s.received()).toEqual([1, 2]);
  });

  it('evict(gateway): the socket closes, the client reconnects, a call made meanwhile runs once', async () => {
    const s = await setup();
    expect(await record(s, 1)).toBe(1);
    await evict(testEnv.LUMENIZE_CLIENT_GATEWAY.getByName(s.client.lmz.instanceName));
    await until(() => s.client.connectionState !== 'connected', 'the client to see the close');
    const pending = record(s, 2);
    windowStub().dispatchEvent(new Event('online'));
    expect(await pending).toBe(2);
    expect(s.net.connections.length).toBeGreaterThanOrEqual(2);
    expect(await s.received()).toEqual([1, 2]);
  });

  it('drop with the answer in flight: the call ran, the answer is re-sent after the reconnect, nothing runs twice', async () => {
    const s = await setup();
    const first = s.net.last!;
    first.hold('toClient');
    const pending = record(s, 1);
    await until(async () => (await s.received()).length === 1, 'the call to run at the DO');
    first.drop();
    expect(s.net.metrics.faultDrops).toBe(1);
    windowStub().dispatchEvent(new Event('online'));
    expect(await pending).toBe(1);
    expect(s.net.connections.length).toBeGreaterThanOrEqual(2);
    expect(await record(s, 2)).toBe(2);
    expect(await s.received()).toEqual([1, 2]);
  });

  it('black hole: the heartbeat finds the silent socket, the client replaces it and the call runs once', async () => {
    const s = await setup({ pongTimeoutMs: 50 });
    const first = s.net.last!;
    first.blackHole();
    const pending = record(s, 1);
    // `online` makes the client probe at once; the ping vanishes and the pong timeout gives up the socket.
    windowStub().dispatchEvent(new Event('online'));
    await until(() => s.net.connections.length >= 2, 'a replacement connection');
    windowStub().dispatchEvent(new Event('online'));
    expect(await pending).toBe(1);
    expect(s.net.metrics.faultBlackHoles).toBe(1);
    expect(s.net.metrics.faultDiscardedFrames).toBeGreaterThanOrEqual(1);
    expect(await s.received()).toEqual([1]);
  });

  it('reorder: three calls reach the gateway in a seeded order; each runs exactly once', async () => {
    const s = await setup({ seed: 3 });
    s.net.last!.reorder('toServer', 3);
    const pending: Array<Promise<unknown>> = [];
    for (const n of [1, 2, 3]) {
      pending.push(record(s, n));
      // A macrotask between calls so the client's batching sends three frames, not one.
      await new Promise((r) => setTimeout(r, 0));
    }
    expect(await Promise.all(pending)).toEqual([1, 2, 3]);
    expect(s.net.metrics.faultReorderedFrames).toBeGreaterThan(0);
    expect([...(await s.received())].sort()).toEqual([1, 2, 3]);
  });
});

describe('reconstruction after hibernate() / evict()', () => {
  it('the DO’s constructor and onStart provably run again, and storage is kept', async () => {
    const s = await setup();
    expect(await record(s, 1)).toBe(1);
    const stub = testEnv.COUNTER_NODE.getByName(s.counter);
    using rpc = createTestingClient<typeof CounterNode>('COUNTER_NODE', s.counter);
    const before = await rpc.lifecycle();
    await hibernate(stub);
    expect(await record(s, 2)).toBe(2);
    const afterHibernate = await rpc.lifecycle();
    expect(afterHibernate.constructed).toBe(before.constructed + 1);
    expect(afterHibernate.started).toBe(before.started + 1);
    await evict(stub);
    expect(await record(s, 3)).toBe(3);
    const afterEvict = await rpc.lifecycle();
    expect(afterEvict.constructed).toBe(before.constructed + 2);
    expect(afterEvict.started).toBe(before.started + 2);
    expect(await s.received()).toEqual([1, 2, 3]);
  });
});
