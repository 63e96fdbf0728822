/**
 * Live mode (spec §6 item 5, §9 item 39): the same client API from a Node process against real
 * `wrangler dev` serving test/live/worker.ts, with the platform's own fetch and WebSocket and the
 * guard token. Project testing:node (vitest.node.config.ts starts wrangler dev).
 */
import { describe, expect, inject, it } from 'vitest';
import { Browser, createTestingClient, FaultyNetwork, GUARD_HEADER, TestingEnvironmentError } from '../../src/index.ts';
import type { MyDO } from '../fixtures/my-do.ts';
import '../node/provided.ts';

const baseUrl = inject('testingLiveUrl');
const token = 'live-mode-test-token'; // the same as LIVE_GUARD_TOKEN in test/live/worker.ts
const live = { baseUrl, fetch: globalThis.fetch.bind(globalThis), WebSocketClass: globalThis.WebSocket, guardToken: token };
const unique = (label: string): string => `${label}-${crypto.randomUUID().slice(0, 8)}`;

describe('live mode against wrangler dev', () => {
  it('§7 outside workerd: createTestingClient without live-mode options, new Browser() and new FaultyNetwork() without a fetch throw TestingEnvironmentError', () => {
    expect(() => createTestingClient<typeof MyDO>('MY_DO', 'x')).toThrow(TestingEnvironmentError);
    expect(() => new Browser()).toThrow(TestingEnvironmentError);
    expect(() => new Browser()).toThrow(/\(1\) run inside the Cloudflare Workers vitest environment.*\(2\) pass a fetch function.*\(3\) in live mode/);
    expect(() => new FaultyNetwork()).toThrow('FaultyNetwork: pass options.fetch outside the Cloudflare Workers vitest environment');
  });

  it('RPC without the guard token gets 401; with it the five-step test passes over real HTTP', async () => {
    const name = unique('live-five');
    const refused = await fetch(`${baseUrl}/__rpc/my-do/${name}/call`, { method: 'POST', body: '[]' });
    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain(GUARD_HEADER);
    using noToken = createTestingClient<typeof MyDO>('MY_DO', name, { ...live, guardToken: undefined });
    await expect(noToken.increment()).rejects.toMatchObject({ status: 401 });

    using client = createTestingClient<typeof MyDO>('MY_DO', name, live);
    await client.ctx.storage.kv.put('count', 10);
    const browser = new Browser(globalThis.fetch.bind(globalThis));
    expect(await (await browser.fetch(`${baseUrl}/my-do/${name}/increment`)).text()).toBe('11');
    expect(await client.increment()).toBe(12);
    expect(await client.ctx.storage.kv.get('count')).toBe(12);
  });

  it('the WebSocket transport with the token gets through, and downstream messages arrive over the real socket', async () => {
    const name = unique('live-ws');
    const received: unknown[] = [];
    using client = createTestingClient<typeof MyDO>('MY_DO', name, { ...live, onDownstream: (p) => void received.push(p) });
    expect(await client.echo(new Map([['a', 1]]))).toEqual(new Map([['a', 1]]));
    using sender = createTestingClient<typeof MyDO>('MY_DO', name, live);
    const clientId = (client.transportInstance as unknown as { clientId: string }).clientId;
    await sender.notify(clientId, { hello: 'live' });
    for (let i = 0; i < 500 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(received).toEqual([{ hello: 'live' }]);
  });
});
