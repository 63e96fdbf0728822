/**
 * End-to-end scenarios with simulated browsers (mesh spec §12 items 80, 81): identity comes from the
 * simulated auth middleware (X-Auth-* headers), each user has their own utils `Browser` (cookies).
 */
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { afterEach, describe, expect, it } from 'vitest';
import type { LumenizeClient } from '../../src/client/index.ts';
import { tab, until } from './helpers.ts';
import { TestClient, connected, dropAndReconnect, installWindowStub, makeClient, type MadeClient } from './test-client.ts';
import type { DocumentDO } from './worker.ts';

const live: LumenizeClient[] = [];
afterEach(() => {
  for (const c of live.splice(0)) c.disconnect();
});

describe('onSubscriptionsLost (item 80)', () => {
  it('fires (config callback first, then the method) after state is connected when the flag is true, never when false', async () => {
    const win = installWindowStub();
    const events: string[] = [];
    let made!: MadeClient<TestClient>;
    made = makeClient(TestClient, 'uma', {
      onSubscriptionsLost: () => events.push(`config:${made.client.connectionState}:${made.client.lostCount}`),
    });
    live.push(made.client);
    await connected(made.client);
    // Reconnect within grace: flag false, nothing fires.
    await dropAndReconnect(made as MadeClient<LumenizeClient>, win);
    expect(events).toEqual([]);
    expect(made.client.lostCount).toBe(0);
    // Expire the grace period, then reconnect: flag true.
    made.sockets.drop();
    await until(() => made.client.connectionState === 'reconnecting', 'reconnecting');
    const gateway = env.LUMENIZE_CLIENT_GATEWAY.getByName(made.instanceName);
    await until(async () => (await runInDurableObject(gateway, (_i, s) => s.storage.getAlarm())) !== null, 'grace alarm');
    expect(await runDurableObjectAlarm(gateway)).toBe(true);
    win.dispatchEvent(new Event('online'));
    await connected(made.client);
    await until(() => made.client.lostCount === 1, 'method');
    expect(events).toEqual(['config:connected:0']);
  });
});

describe('two simulated browsers editing a document (item 81)', () => {
  it('opens, saves, broadcasts to both, and sends spelling findings to the editor only', async () => {
    const doc = `doc-${tab()}`;
    const alice = makeClient(TestClient, 'alice');
    const bob = makeClient(TestClient, 'bob');
    live.push(alice.client, bob.client);
    await connected(alice.client);
    await connected(bob.client);

    expect(await alice.client.lmz.callRaw('DOCUMENT', doc, alice.client.ctn<DocumentDO>().open())).toBe('');
    await alice.client.lmz.callRaw('DOCUMENT', doc, alice.client.ctn<DocumentDO>().save('hello world'));
    await until(() => alice.client.changes.length === 1, 'alice broadcast');
    expect(alice.client.changes).toEqual([{ docId: doc, text: 'hello world' }]);

    expect(await bob.client.lmz.callRaw('DOCUMENT', doc, bob.client.ctn<DocumentDO>().open())).toBe('hello world');
    await bob.client.lmz.callRaw('DOCUMENT', doc, bob.client.ctn<DocumentDO>().save('teh end'));
    await until(() => alice.client.changes.length === 2 && bob.client.changes.length === 1, 'both broadcasts');
    expect(alice.client.changes[1]).toEqual({ docId: doc, text: 'teh end' });
    expect(bob.client.changes).toEqual([{ docId: doc, text: 'teh end' }]);
    await until(() => bob.client.findings.length === 1, 'spelling findings');
    expect(bob.client.findings).toEqual([['teh']]);
    // No wait needed: each spell check makes one findings call, to its chain's origin. Alice's save
    // had no typos (no call), and Bob's one call has arrived at Bob, so none can be on its way to Alice.
    expect(alice.client.findings).toEqual([]);
  });
});
