/**
 * Generic pub/sub (mesh spec §9 item 7; §12 items 93, 94): client and DO subscribers, secure-by-default
 * admission, unsubscribe on scope exit, re-subscribe after a grace-expired reconnect, and removal of
 * subscribers that are gone.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { afterEach, describe, expect, it } from 'vitest';
import type { LumenizeClient } from '../../src/client/index.ts';
import { tab, until } from './helpers.ts';
import { TestClient, connected, installWindowStub, makeClient } from './test-client.ts';
import type { NewsDO } from './worker.ts';
import type { CappedNewsDO } from './hostile-nodes.ts';

const live: LumenizeClient[] = [];
afterEach(() => {
  for (const c of live.splice(0)) c.disconnect();
});

describe('client subscriptions (item 93)', () => {
  it('using sub becomes active, receives publishes, and unsubscribes at scope exit', async () => {
    const made = makeClient(TestClient, 'vera');
    live.push(made.client);
    const { client } = made;
    await connected(client);
    const news = `news-${tab()}`;
    const post = (v: unknown) => client.lmz.callRaw('NEWS', news, client.ctn<NewsDO>().post('news', v));
    {
      using sub = client.subscribe('NEWS', news, 'news', client.ctn<TestClient>().onResult(client.ctn().$result));
      expect(sub.status).toBe('pending');
      await sub.ready; // settles when the publisher has admitted it
      expect(sub.status).toBe('active');
      await post({ headline: 'one' });
      await until(() => client.handled.length === 1, 'first publish');
      expect(client.handled).toEqual([{ headline: 'one' }]);
    }
    await until(async () => (await env.NEWS.getByName(news).subscriberCount('news')) === 0, 'unsubscribed');
    // A witness still subscribed proves the publish happened; with no row for this client, nothing
    // can be on its way to it (the publisher sends only to the rows it reads), so no wait is needed.
    const witness = makeClient(TestClient, 'vera');
    live.push(witness.client);
    const watching = witness.client.subscribe('NEWS', news, 'news', witness.client.ctn<TestClient>().onResult(witness.client.ctn().$result));
    await watching.ready;
    await post({ headline: 'two' });
    await until(() => witness.client.handled.length === 1, 'the witness hears the publish');
    expect(witness.client.handled).toEqual([{ headline: 'two' }]);
    expect(client.handled).toEqual([{ headline: 'one' }]);
  });

  it('a publisher without an onBeforeSubscribe override refuses: status failed, the error reaches the handler once', async () => {
    const made = makeClient(TestClient, 'walt');
    live.push(made.client);
    await connected(made.client);
    const sub = made.client.lmz.subscribe('ECHO', `e-${tab()}`, 'anything', made.client.ctn<TestClient>().onResult(made.client.ctn().$result));
    await expect(sub.ready).rejects.toThrow('Subscriptions are not enabled on EchoDO');
    expect(sub.status).toBe('failed');
    await until(() => made.client.handled.length === 1, 'error delivered');
    expect((made.client.handled[0] as Error).message).toBe('Subscriptions are not enabled on EchoDO');
    sub.unsubscribe();
    sub.unsubscribe();
    expect(sub.status).toBe('closed');
    // Closed before the publisher answered: ready rejects, nothing is left unhandled.
    const early = made.client.lmz.subscribe('ECHO', `e-${tab()}`, 'anything', made.client.ctn<TestClient>().onResult(made.client.ctn().$result));
    early.unsubscribe();
    await expect(early.ready).rejects.toThrow("Subscription to 'anything' was closed before the publisher admitted it");
  });

  it('onBeforeSubscribe runs after onBeforeCall and can refuse a topic', async () => {
    const made = makeClient(TestClient, 'xena');
    live.push(made.client);
    await connected(made.client);
    const sub = made.client.subscribe('NEWS', `news-${tab()}`, 'secrets', made.client.ctn<TestClient>().onResult(made.client.ctn().$result));
    await until(() => sub.status === 'failed', 'failed');
    expect((made.client.handled[0] as Error).message).toBe("Topic 'secrets' is not available");
  });

  it('deliveries come only from the recorded publisher', async () => {
    const made = makeClient(TestClient, 'yuri');
    live.push(made.client);
    await connected(made.client);
    const news = `news-${tab()}`;
    const sub = made.client.subscribe('NEWS', news, 'news', made.client.ctn<TestClient>().onResult(made.client.ctn().$result));
    await until(() => sub.status === 'active', 'active');
    // Another DO forges a delivery for this subscription id.
    const forged = await env.ECHO.getByName('forger').callClient('LUMENIZE_CLIENT_GATEWAY', made.instanceName, '__lmzDeliver', [sub.id, 'news', 'fake']);
    expect(forged).toMatchObject({ ok: false, message: `Delivery refused: subscription '${sub.id}' belongs to another publisher` });
    expect(made.client.handled).toEqual([]);
  });
});

describe('resubscribe and cleanup (item 94)', () => {
  it('after a grace-expired reconnect, subscriptions are re-established and receive the next publish', async () => {
    const win = installWindowStub();
    const made = makeClient(TestClient, 'zoe');
    live.push(made.client);
    await connected(made.client);
    const news = `news-${tab()}`;
    const sub = made.client.subscribe('NEWS', news, 'news', made.client.ctn<TestClient>().onResult(made.client.ctn().$result));
    await until(() => sub.status === 'active', 'active');
    made.sockets.drop();
    await until(() => made.client.connectionState === 'reconnecting', 'reconnecting');
    const gateway = env.LUMENIZE_CLIENT_GATEWAY.getByName(made.instanceName);
    await until(async () => (await runInDurableObject(gateway, (_i, s) => s.storage.getAlarm())) !== null, 'grace alarm');
    expect(await runDurableObjectAlarm(gateway)).toBe(true);
    // A publish while the client is gone removes its row...
    await env.NEWS.getByName(news).post('news', 'missed');
    await until(async () => (await env.NEWS.getByName(news).subscriberCount('news')) === 0, 'row removed');
    // ...and the reconnect (subscriptionsLost) puts it back with the same id.
    win.dispatchEvent(new Event('online'));
    await connected(made.client);
    await until(async () => (await env.NEWS.getByName(news).subscriberCount('news')) === 1, 'resubscribed');
    await made.client.lmz.callRaw('NEWS', news, made.client.ctn<NewsDO>().post('news', 'after'));
    await until(() => made.client.handled.length === 1, 'publish after resubscribe');
    expect(made.client.handled).toEqual(['after']);
    expect(sub.status).toBe('active');
  });
});

describe('DO subscribers', () => {
  it('a DO subscribes, hears publishes over Workers RPC, and Workers cannot publish', async () => {
    const news = `news-${tab()}`;
    const reader = env.READER.getByName(`reader-${tab()}`);
    expect(await reader.followAndWait('NEWS', news, 'news-do')).toBe('admitted (active)');
    expect(await env.NEWS.getByName(news).subscriberCount('news-do')).toBe(1);
    await env.NEWS.getByName(news).post('news-do', { n: 1 });
    await until(async () => (await reader.heard()).length === 1, 'heard');
    expect(await reader.heard()).toEqual(['{"n":1}']);
  });

  it('a DO subscription refused by the publisher reaches the handler as an error once', async () => {
    const reader = env.READER.getByName(`reader-${tab()}`);
    expect(await reader.followAndWait('ECHO', 'e-x', 'news')).toBe('refused (failed): Subscriptions are not enabled on EchoDO');
    await until(async () => (await reader.heard()).length === 1, 'refusal heard');
    expect(await reader.heard()).toEqual(['error: Subscriptions are not enabled on EchoDO']);
  });

  it('Workers cannot subscribe or publish; clients cannot publish', async () => {
    expect(await env.SPELLCHECK.pubsubErrors()).toEqual([
      'LumenizeWorker cannot subscribe: subscribe from a LumenizeDO or a LumenizeClient',
      'LumenizeWorker cannot publish: publish from a LumenizeDO',
    ]);
    const made = makeClient(TestClient, 'amy');
    live.push(made.client);
    expect(() => made.client.lmz.publish('news', 1)).toThrow('LumenizeClient cannot publish');
  });
});

describe('bounded pub/sub (issue 12 item 5)', () => {
  it('past maxSubscribersPerTopic a subscription fails with SubscriptionLimitError and nothing stored changes', async () => {
    const news = env.CAPPED_NEWS.getByName(`capped-${tab()}`);
    const readers = Array.from({ length: 4 }, () => env.READER.getByName(`reader-${tab()}`));
    for (const r of readers.slice(0, 3)) await r.follow('CAPPED_NEWS', news.name!, 'news');
    await until(async () => (await news.rows()).length === 3, 'three admitted');
    const before = await news.rows();
    await readers[3].follow('CAPPED_NEWS', news.name!, 'news');
    await until(async () => (await readers[3].heard()).length === 1, 'refusal heard');
    expect(await readers[3].heard()).toEqual([
      `error: Topic 'news' already has 3 subscribers, the most CappedNewsDO.maxSubscribersPerTopic (3) allows; nothing was stored. Unsubscribe others or raise the limit`,
    ]);
    expect(await news.rows()).toEqual(before);
  });

  it('past maxSubscriptionsPerSubscriber a client subscription fails; re-subscribing a held id still works', async () => {
    const made = makeClient(TestClient, 'cara');
    live.push(made.client);
    const { client } = made;
    await connected(client);
    const name = `capped-${tab()}`;
    const news = env.CAPPED_NEWS.getByName(name);
    const handler = () => client.ctn<TestClient>().onResult(client.ctn().$result);
    const a = client.subscribe('CAPPED_NEWS', name, 'a', handler());
    const b = client.subscribe('CAPPED_NEWS', name, 'b', handler());
    await until(() => a.status === 'active' && b.status === 'active', 'two active');
    const before = await news.rows();
    expect(before).toHaveLength(2);
    const c = client.subscribe('CAPPED_NEWS', name, 'c', handler());
    await until(() => c.status === 'failed', 'third refused');
    await until(() => client.handled.length === 1, 'error delivered');
    const error = client.handled[0] as Error & { code?: string; limit?: number };
    expect(error.name).toBe('SubscriptionLimitError');
    expect(error.message).toBe(
      `Subscriber 'LUMENIZE_CLIENT_GATEWAY/${made.instanceName}' already holds 2 subscriptions here, the most CappedNewsDO.maxSubscriptionsPerSubscriber (2) allows; nothing was stored. Unsubscribe first or raise the limit`,
    );
    expect(error.code).toBe('SUBSCRIPTIONS_PER_SUBSCRIBER');
    expect(await news.rows()).toEqual(before);
    // A held subscription re-sent with its id (as after a lost-subscriptions reconnect) is an upsert, not a new row.
    await client.lmz.callRaw('CAPPED_NEWS', name, client.ctn<Record<string, (t: string, id: string) => void>>().__lmzSubscribe('a', a.id));
    expect(await news.rows()).toEqual(before);
  });

  it('publish is all or nothing: a value one delivery path cannot carry is sent to no subscriber and throws', async () => {
    const made = makeClient(TestClient, 'dina');
    live.push(made.client);
    const { client } = made;
    await connected(client);
    const name = `capped-${tab()}`;
    const news = env.CAPPED_NEWS.getByName(name);
    // The DO subscriber's row comes first, so a publish that fails half-way would already have reached it.
    const reader = env.READER.getByName(`reader-${tab()}`);
    await reader.follow('CAPPED_NEWS', name, 'mixed');
    await until(async () => (await news.rows()).length === 1, 'reader admitted');
    const sub = client.subscribe('CAPPED_NEWS', name, 'mixed', client.ctn<TestClient>().onResult(client.ctn().$result));
    await until(() => sub.status === 'active', 'client admitted');
    expect(await news.publishUnserializable('mixed')).toBe(
      "TypeError: publish('mixed') sent nothing: the value cannot be serialized (a function at .bad); publish plain data",
    );
    await client.lmz.callRaw('CAPPED_NEWS', name, client.ctn<CappedNewsDO>().post('mixed', { n: 2 }));
    await until(() => client.handled.length === 1, 'client got the good publish');
    await until(async () => (await reader.heard()).length >= 1, 'reader got the good publish');
    expect(client.handled).toEqual([{ n: 2 }]);
    expect(await reader.heard()).toEqual(['{"n":2}']);
  });
});
