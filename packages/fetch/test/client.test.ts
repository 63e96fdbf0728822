/**
 * Spec fetch §9 item 24, browser-client path: a `LumenizeClient` connected over a real WebSocket to
 * the test Worker's gateway (router + simulated auth, as a browser reaches the mesh). Calling
 * `executeFetch` directly (the caller is the client) is refused and nothing is fetched; a
 * `proxy()` made inside a DO method the client invoked delivers normally.
 */
import { SELF } from 'cloudflare:test';
import { LumenizeClient } from '@lumenize/mesh/client';
import { getWebSocketShim } from '@lumenize/utils';
import { afterEach, describe, expect, it } from 'vitest';
import type { FetchExecutorEntrypoint, FetchMessage } from '../src/index.ts';
import { makeToken } from './client-auth.ts';
import { endpointUrl, type FetchTestDO } from './nodes.ts';
import { deliveriesOf, endpoints, logged, mark, OFFLINE, origin, unique, until } from './helpers.ts';

const selfFetch: typeof fetch = (input, init) => SELF.fetch(input as Request, init as RequestInit);

/** A browser tab's client: nothing of its own beyond the base class. */
class TabClient extends LumenizeClient {}

const live: LumenizeClient[] = [];
afterEach(() => {
  for (const client of live.splice(0)) client.disconnect();
});

/** A client for `userId`, connected through the gateway (waits for `connected`). */
async function connect(userId: string): Promise<TabClient> {
  const client = new TabClient({
    instanceName: `${userId}.${unique('tab')}`,
    baseUrl: 'http://fetch.test',
    WebSocket: getWebSocketShim(selfFetch) as unknown as typeof WebSocket,
    refresh: async () => makeToken(userId),
    fetch: selfFetch,
  });
  live.push(client);
  await until(async () => client.connectionState, (state) => state === 'connected');
  return client;
}

function messageFor(name: string, victim: string): FetchMessage {
  return { reqId: crypto.randomUUID(), request: endpointUrl(name, '/uuid'), originBinding: 'FETCH_DO', originId: victim, options: { ...OFFLINE }, fetchTimeout: 5_000 };
}

describe('item 24: a browser client (LumenizeClient through the gateway)', () => {
  it('calling executeFetch directly is refused (the caller is the client) and nothing is fetched', async () => {
    const name = unique('c24');
    const client = await connect('mallory');
    const since = mark();
    const message = messageFor(name, name);
    const refused = client.lmz.callRaw('FETCH_EXECUTOR', undefined, client.ctn<FetchExecutorEntrypoint>().executeFetch(message));
    await expect(refused).rejects.toThrow('executeFetch refused: the immediate caller must be the LumenizeDO named in the message (FETCH_DO); nothing was fetched');
    await expect(refused).rejects.toMatchObject({ name: 'FetchAuthorizationError' });
    // The executor itself refused, seeing the client (through its gateway) as the immediate caller.
    const log = await logged('lmz.fetch.FetchExecutorEntrypoint', 'warn', (r) => (r.data as { reqId?: string }).reqId === message.reqId, since);
    expect(log.data).toMatchObject({ caller: { type: 'LumenizeClient', bindingName: 'LUMENIZE_CLIENT_GATEWAY' } });
    expect(await endpoints(name).requestCount()).toBe(0);
    expect(await origin(name).storageRows()).toEqual({ pending: 0, idempotency: 0, alarms: 0 });
  });

  it('the client naming itself as the origin is refused too (a client is never an origin DO)', async () => {
    const name = unique('c24self');
    const client = await connect('mallory');
    const message = { ...messageFor(name, name), originBinding: 'LUMENIZE_CLIENT_GATEWAY', originId: client.lmz.instanceName };
    await expect(client.lmz.callRaw('FETCH_EXECUTOR', undefined, client.ctn<FetchExecutorEntrypoint>().executeFetch(message))).rejects.toMatchObject({
      name: 'FetchAuthorizationError',
    });
    expect(await endpoints(name).requestCount()).toBe(0);
  });

  it('calling executeFetchBatch directly is refused the same way; nothing is fetched', async () => {
    const name = unique('c24batch');
    const client = await connect('mallory');
    const batch = [messageFor(name, name), messageFor(name, name)];
    await expect(client.lmz.callRaw('FETCH_EXECUTOR', undefined, client.ctn<FetchExecutorEntrypoint>().executeFetchBatch(batch))).rejects.toMatchObject({
      name: 'FetchAuthorizationError',
      message: 'executeFetchBatch refused: the immediate caller must be the LumenizeDO named in the message (FETCH_DO); nothing was fetched',
    });
    expect(await endpoints(name).requestCount()).toBe(0);
  });

  it('a proxy() inside a DO method the client invoked delivers normally', async () => {
    const name = unique('c24ok');
    const client = await connect('alice');
    const id = await client.lmz.callRaw('FETCH_DO', name, client.ctn<FetchTestDO>().proxyForClient(endpointUrl(name, '/uuid'), 't'));
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const [d] = await deliveriesOf(name, 't');
    expect(d).toMatchObject({ kind: 'response', status: 200, ok: true });
    expect(await origin(name).deliveries('t')).toHaveLength(1);
    expect(await endpoints(name).requestCount()).toBe(1);
  });
});
