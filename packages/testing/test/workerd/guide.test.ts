/**
 * The examples of docs/testing.md, run as tests. Each `it` body is the page's code block verbatim;
 * the only difference is the head of each block: the page declares the app's classes
 * (`declare class CounterNode …`) so it type-checks alone, this file imports the real fixtures.
 */
import { afterEach, expect, it, vi } from 'vitest';
import { testEnv as env } from '../env.ts';
import { testLoginWithMagicLink } from '@lumenize/auth';
import { LumenizeClient } from '@lumenize/mesh';
import { advanceClock, Browser, createTestingClient, evict, FaultyNetwork, hibernate, testClock } from '../../src/index.ts';
import type { CounterNode, ReminderNode } from '../fixtures/mesh-nodes.ts';
import type { MyDO } from '../fixtures/my-do.ts';

const APP = 'https://app.example';
afterEach(() => testClock.reset());

/** A tab of the mesh app, as a user's test defines it. */
class Tab extends LumenizeClient {}

it('guide: reaching DO internals', async () => {
  using client = createTestingClient<typeof MyDO>('MY_DO', 'guide-internals');
  await client.ctx.storage.kv.put('count', 10); // write storage, through the Worker
  expect(await client.increment()).toBe(11); // call any method
  expect(await client.ctx.storage.kv.get('count')).toBe(11); // read storage (await even sync APIs)
  await client.__set('label', 'changed'); // write an instance field
  expect(await client.label).toBe('changed'); // read it back
  expect(await client.ctx.getWebSockets()).toHaveLength(0); // sockets and their attachments
});

it('guide: a DO method that throws over RPC', async () => {
  using client = createTestingClient<typeof MyDO>('MY_DO', 'guide-throws');
  await expect(client.fail('sku-9')).rejects.toMatchObject({ name: 'InventoryError', message: 'Out of stock: sku-9', sku: 'sku-9' });
  expect(await client.increment()).toBe(1); // the DO is fine afterwards
});

it('guide: multi-user with separate Browsers', async () => {
  const alice = new Browser(); // one cookie jar per user
  const bob = new Browser();
  const aliceId = await testLoginWithMagicLink(alice, 'guide-alice@example.com', APP);
  const bobId = await testLoginWithMagicLink(bob, 'guide-bob@example.com', APP);
  const tab = (browser: Browser, userId: string) =>
    new Tab({ instanceName: `${userId}.tab1`, baseUrl: APP, WebSocket: browser.WebSocket, fetch: browser.fetch });
  const a = tab(alice, aliceId);
  const b = tab(bob, bobId);
  await vi.waitFor(() => expect([a.connectionState, b.connectionState]).toEqual(['connected', 'connected']), { timeout: 10_000 });
  expect(await a.lmz.callRaw('COUNTER_NODE', 'guide-room', a.ctn<CounterNode>().whoAmI())).toBe(aliceId);
  expect(await b.lmz.callRaw('COUNTER_NODE', 'guide-room', b.ctn<CounterNode>().whoAmI())).toBe(bobId);
  a.disconnect();
  b.disconnect();
});

it('guide: token refresh with cookies, two tabs sharing one jar', async () => {
  const net = new FaultyNetwork(); // lets the test close sockets with a chosen code
  const browser = new Browser(net.fetch);
  const userId = await testLoginWithMagicLink(browser, 'guide-tabs@example.com', APP); // refresh cookie in the jar
  const tabs = ['tab1', 'tab2'].map((t) => {
    const page = browser.context(APP); // a tab: same jar, Origin and CORS like a page
    return new Tab({ instanceName: `${userId}.${t}`, baseUrl: APP, WebSocket: page.WebSocket, fetch: page.fetch });
  });
  await vi.waitFor(() => expect(tabs.map((t) => t.connectionState)).toEqual(['connected', 'connected']), { timeout: 10_000 });
  const cookie = browser.getCookie('refresh-token'); // HttpOnly, but readable in tests
  for (const c of net.connections) c.closeWith(4401, 'token expired'); // what the gateway sends on expiry
  await vi.waitFor(() => expect([net.connections.length, ...tabs.map((t) => t.connectionState)]).toEqual([4, 'connected', 'connected']), { timeout: 10_000 });
  expect(browser.getCookie('refresh-token')).not.toBe(cookie); // rotated, shared by both tabs
  for (const t of tabs) expect(await t.lmz.callRaw('COUNTER_NODE', 'guide-tabs', t.ctn<CounterNode>().whoAmI())).toBe(userId);
  for (const t of tabs) t.disconnect();
});

it('guide: WebSocket injection', async () => {
  const browser = new Browser();
  const ws = new browser.WebSocket('wss://app.example/my-do/guide-ws/chat', ['v1']); // carries the jar's cookies
  const replies: string[] = [];
  ws.onmessage = (e) => void replies.push(String(e.data));
  await new Promise((r) => (ws.onopen = r));
  ws.send('increment');
  await vi.waitFor(() => expect(replies).toEqual(['1']));
  using client = createTestingClient<typeof MyDO>('MY_DO', 'guide-ws');
  const sockets = await client.ctx.getWebSockets('chat'); // the DO's end of the same socket
  expect(sockets).toHaveLength(1);
  expect(await sockets[0].deserializeAttachment()).toMatchObject({ name: 'chat' }); // every remote read needs await
  ws.close();
});

it('guide: hibernation and fault tests', async () => {
  const net = new FaultyNetwork({ seed: 7 });
  const browser = new Browser(net.fetch);
  const win = ((globalThis as { window?: EventTarget }).window ??= new EventTarget()); // before the client: it listens for `online`
  const userId = await testLoginWithMagicLink(browser, 'guide-faults@example.com', APP);
  const tab = new Tab({ instanceName: `${userId}.tab1`, baseUrl: APP, WebSocket: browser.WebSocket, fetch: browser.fetch });
  await vi.waitFor(() => expect(tab.connectionState).toBe('connected'), { timeout: 10_000 });
  const record = (n: number) => tab.lmz.callRaw('COUNTER_NODE', 'guide-faults', tab.ctn<CounterNode>().record(n));

  expect(await record(1)).toBe(1);
  await hibernate(env.COUNTER_NODE.getByName('guide-faults')); // instance dropped, sockets kept
  expect(await record(2)).toBe(2); // wakes a fresh instance
  await evict(env.LUMENIZE_CLIENT_GATEWAY.getByName(tab.lmz.instanceName)); // sockets closed
  expect(await record(3)).toBe(3); // the client reconnects by itself
  net.last!.drop(); // abrupt loss: error, then close 1006
  win.dispatchEvent(new Event('online')); // retry now, not after the backoff
  expect(await record(4)).toBe(4);

  using counter = createTestingClient<typeof CounterNode>('COUNTER_NODE', 'guide-faults');
  expect(await counter.received()).toEqual([1, 2, 3, 4]); // each call ran exactly once
  expect((await counter.lifecycle()).constructed).toBe(2); // the hibernated DO was constructed again
  expect(net.metrics.faultDrops).toBe(1);
  tab.disconnect();
});

it('guide: alarm time travel', async () => {
  const stub = env.REMINDER_NODE.getByName('guide-alarms');
  using reminder = createTestingClient<typeof ReminderNode>('REMINDER_NODE', 'guide-alarms');
  await reminder.remindIn(90, 'in 90 s');
  await reminder.remindEvery('* * * * *', 'every minute');
  const runs = await advanceClock(3 * 60_000, stub); // virtual time: no real waiting, no native alarm
  expect(runs.every((r) => r.ran)).toBe(true);
  const labels = (await reminder.firedList()).map((f) => f.label);
  expect(labels.filter((l) => l === 'every minute')).toHaveLength(3);
  expect(labels).toContain('in 90 s');
});
