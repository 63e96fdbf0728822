/**
 * The harness on @lumenize/rpc and @lumenize/auth (issue 15 "Must show"): an rpc client keeps its
 * downstream messages across hibernation, a DO error over RPC is asserted with no unhandled
 * rejection, and two tabs of one user (one cookie jar) refresh their tokens through auth.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { testLoginWithMagicLink } from '@lumenize/auth';
import { LumenizeClient } from '@lumenize/mesh';
import type { WebSocketRpcTransport } from '@lumenize/rpc';
import { Browser, FaultyNetwork, createTestingClient, hibernate } from '../../src/index.ts';
import { APP_ORIGIN } from '../fixtures/app.ts';
import type { CounterNode } from '../fixtures/mesh-nodes.ts';
import type { MyDO } from '../fixtures/my-do.ts';
import { testEnv, unique } from '../env.ts';

describe('an rpc client across hibernation', () => {
  it('keeps its WebSocket and receives every downstream message, in order, from a re-constructed DO', async () => {
    const name = unique('rpc-hib');
    const received: unknown[] = [];
    using client = createTestingClient<typeof MyDO>('MY_DO', name, { onDownstream: (p) => void received.push(p) });
    using sender = createTestingClient<typeof MyDO>('MY_DO', name);
    // The socket opens with the first call.
    expect(await client.echo('connect')).toBe('connect');
    const clientId = (client.transportInstance as WebSocketRpcTransport).clientId!;
    await sender.notify(clientId, { n: 1 });
    await vi.waitFor(() => expect(received).toEqual([{ n: 1 }]));
    const constructed = (await sender.ctx.storage.kv.get('constructed')) as number;

    await hibernate(testEnv.MY_DO.getByName(name));
    await sender.notify(clientId, { n: 2, at: new Date(5) });
    await sender.notify(clientId, new Map([['n', 3]]));
    await vi.waitFor(() => expect(received).toHaveLength(3));
    expect(received).toEqual([{ n: 1 }, { n: 2, at: new Date(5) }, new Map([['n', 3]])]);
    // A fresh instance sent them (its constructor ran again), over the socket opened before.
    expect(await sender.ctx.storage.kv.get('constructed')).toBe(constructed + 1);
    expect(await client.ctx.getWebSockets()).toHaveLength(1);
    expect(await client.echo('still here')).toBe('still here');
  });
});

describe('a DO method that throws over RPC', () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (event: PromiseRejectionEvent): void => void unhandled.push(event.reason);
  afterEach(() => globalThis.removeEventListener('unhandledrejection', onUnhandled as EventListener));

  it('rejects with the DO’s error (class name, message, fields); no unhandled rejection, storage intact', async () => {
    globalThis.addEventListener('unhandledrejection', onUnhandled as EventListener);
    const name = unique('throws');
    using client = createTestingClient<typeof MyDO>('MY_DO', name);
    await client.ctx.storage.kv.put('count', 41);
    await expect(client.fail('sku-1')).rejects.toBeInstanceOf(Error);
    await expect(client.fail('sku-1')).rejects.toMatchObject({ name: 'InventoryError', message: 'Out of stock: sku-1', sku: 'sku-1' });
    await expect(client.failLater('sku-2')).rejects.toMatchObject({ name: 'InventoryError', message: 'Out of stock: sku-2', sku: 'sku-2' });
    // The DO is still healthy: storage kept, the next call works.
    expect(await client.increment()).toBe(42);
    // Over the WebSocket transport too.
    using ws = createTestingClient<typeof MyDO>('MY_DO', name, { transport: 'websocket' });
    await expect(ws.fail('sku-3')).rejects.toThrow('Out of stock: sku-3');
    // Let any stray rejection surface before checking.
    await new Promise((r) => setTimeout(r, 0));
    expect(unhandled).toEqual([]);
  });
});

class Tab extends LumenizeClient {}

async function until(predicate: () => boolean, what: string, attempts = 1000): Promise<void> {
  for (let i = 0; i < attempts && !predicate(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!predicate()) throw new Error(`timed out waiting for ${what}`);
}

describe('auth refresh across two tabs sharing one cookie jar', () => {
  it('both tabs of one Browser get tokens from the shared refresh cookie, survive a forced 4401 refresh together, and act as the user', async () => {
    const net = new FaultyNetwork();
    const browser = new Browser(net.fetch);
    const userId = await testLoginWithMagicLink(browser, `${unique('tabs')}@example.com`, APP_ORIGIN);
    const cookieBefore = browser.getAllCookies().map((c) => `${c.name}=${c.value}`);
    expect(cookieBefore.length).toBeGreaterThan(0);
    const counter = unique('tabs-counter');
    const tabs = [1, 2].map((i) => {
      const page = browser.context(APP_ORIGIN);
      return new Tab({ instanceName: `${userId}.tab${i}-${unique('t')}`, baseUrl: APP_ORIGIN, WebSocket: page.WebSocket, fetch: page.fetch });
    });
    try {
      await until(() => tabs.every((t) => t.connectionState === 'connected'), 'both tabs connected');
      for (const t of tabs) expect(await t.lmz.callRaw('COUNTER_NODE', counter, t.ctn<CounterNode>().whoAmI())).toBe(userId);
      expect(net.connections).toHaveLength(2);

      // The gateway's "token expired" close on both sockets at once: both tabs refresh through the one jar.
      for (const c of net.connections) c.closeWith(4401, 'token expired');
      await until(() => net.connections.length >= 4 && tabs.every((t) => t.connectionState === 'connected'), 'both tabs back after refresh');
      for (const t of tabs) expect(await t.lmz.callRaw('COUNTER_NODE', counter, t.ctn<CounterNode>().whoAmI())).toBe(userId);
      // The refresh cookie rotated in the shared jar (both tabs now hold the newest).
      expect(browser.getAllCookies().map((c) => `${c.name}=${c.value}`)).not.toEqual(cookieBefore);
      expect(net.metrics.faultCloses).toBe(2);
    } finally {
      for (const t of tabs) t.disconnect();
    }
  });
});
