/**
 * createTestingClient (spec §9 items 1-8, 39 and §7 bad inputs): through the Worker, full access to
 * storage, fields, env and sockets, HTTP by default, downstream over WebSocket, disposal, isolation.
 */
import { SELF } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { HttpPostRpcTransport, WebSocketRpcTransport } from '@lumenize/rpc';
import { Browser, createTestingClient, RpcRouteError, TestingEnvironmentError, GUARD_HEADER } from '../../src/index.ts';
import type { MyDO } from '../fixtures/my-do.ts';
import { testEnv, unique } from '../env.ts';

describe('createTestingClient', () => {
  it('item 1: the five-step test: kv.put 10, Worker route increments to 11, RPC increment to 12, kv.get is 12', async () => {
    const name = unique('five');
    using client = createTestingClient<typeof MyDO>('MY_DO', name);
    await client.ctx.storage.kv.put('count', 10);
    const browser = new Browser();
    expect(await (await browser.fetch(`https://app.test/my-do/${name}/increment`)).text()).toBe('11');
    expect(await client.increment()).toBe(12);
    expect(await client.ctx.storage.kv.get('count')).toBe(12);
  });

  it('item 2: defaults to HTTP: one POST …/__rpc/my-do/x/call through the Worker, no upgrade', async () => {
    const seen: Request[] = [];
    const name = unique('http');
    const recording: typeof fetch = (input, init) => {
      seen.push(new Request(input instanceof URL ? input.href : input, init));
      return SELF.fetch(input instanceof URL ? input.href : input, init);
    };
    using client = createTestingClient<typeof MyDO>('my-do', name, { fetch: recording });
    expect(await client.echo('hi')).toBe('hi');
    expect(seen).toHaveLength(1);
    expect(seen[0].method).toBe('POST');
    expect(new URL(seen[0].url).pathname).toBe(`/__rpc/my-do/${name}/call`);
    expect(seen[0].headers.get('Upgrade')).toBeNull();
    // And the default client (no fetch given) opens no socket either.
    using plain = createTestingClient<typeof MyDO>('MY_DO', name);
    expect(await plain.ctx.getWebSockets()).toHaveLength(0);
    expect(plain.transportInstance).toBeInstanceOf(HttpPostRpcTransport);
  });

  it('item 3: onDownstream without clientId uses WebSocket with a test-client-<uuid> id; an explicit clientId is used verbatim', async () => {
    const name = unique('down');
    const received: unknown[] = [];
    using client = createTestingClient<typeof MyDO>('MY_DO', name, { onDownstream: (p) => void received.push(p) });
    expect(await client.ctx.getWebSockets()).toHaveLength(1);
    expect(client.transportInstance).toBeInstanceOf(WebSocketRpcTransport);
    const auto = (client.transportInstance as WebSocketRpcTransport).clientId;
    expect(auto).toMatch(/^test-client-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    using other = createTestingClient<typeof MyDO>('MY_DO', name, { transport: 'http' });
    await other.notify(auto!, { hello: 'downstream' });
    await vi.waitFor(() => expect(received).toEqual([{ hello: 'downstream' }]));

    const mine: unknown[] = [];
    using explicit = createTestingClient<typeof MyDO>('MY_DO', name, { clientId: 'my-own-id', onDownstream: (p) => void mine.push(p) });
    await explicit.echo('connect');
    await other.notify('my-own-id', 42);
    await vi.waitFor(() => expect(mine).toEqual([42]));
  });

  it('item 4: instance fields are readable and writable; __asObject() has the documented shape', async () => {
    using client = createTestingClient<typeof MyDO>('MY_DO', unique('fields'));
    expect(await client.label).toBe('initial');
    // Proxies have no assignment; instrumented DOs answer `__set(path, value)` for field writes.
    await client.__set('label', 'changed');
    expect(await client.label).toBe('changed');
    await client.__set(['createdAt'], new Date(5));
    expect(await client.createdAt).toEqual(new Date(5));
    const snapshot = (await client.__asObject!()) as Record<string, unknown> & { ctx: { storage: { sql: { databaseSize: unknown } } }; env: Record<string, Record<string, unknown>> };
    expect(snapshot.increment).toBe('increment [Function]');
    expect(snapshot.label).toBe('changed');
    expect(typeof snapshot.ctx.storage.sql.databaseSize).toBe('number');
    expect(snapshot.env.MY_DO.getByName).toBe('getByName [Function]');
    expect(snapshot.ctx).toBeTypeOf('object');
  });

  it('item 5: structured-clone types through storage and echo: Map, Set, Date, cyclic object', async () => {
    using client = createTestingClient<typeof MyDO>('MY_DO', unique('types'));
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const value = { map: new Map<unknown, unknown>([[1, 'one'], ['k', { deep: true }]]), set: new Set([1, 2]), when: new Date('2026-01-02T03:04:05Z'), cyclic };
    await client.ctx.storage.kv.put('rich', value);
    for (const got of [(await client.ctx.storage.kv.get('rich')) as typeof value, await client.echo(value)]) {
      expect(got.map).toBeInstanceOf(Map);
      expect(got.map.get('k')).toEqual({ deep: true });
      expect(got.set).toEqual(new Set([1, 2]));
      expect(got.when).toEqual(new Date('2026-01-02T03:04:05Z'));
      expect((got.cyclic as Record<string, unknown>).self).toBe(got.cyclic);
    }
  });

  it('item 6: quirks: sync kv.get needs await; destructured sql.databaseSize equals the __asObject() value', async () => {
    using client = createTestingClient<typeof MyDO>('MY_DO', unique('quirks'));
    await client.ctx.storage.kv.put('k', 'v');
    const pending = client.ctx.storage.kv.get('k');
    expect(typeof (pending as unknown as { then: unknown }).then).toBe('function');
    expect(await pending).toBe('v');
    const { sql } = client.ctx.storage;
    const size = await sql.databaseSize;
    const snapshot = (await client.__asObject!()) as { ctx: { storage: { sql: { databaseSize: number } } } };
    expect(size).toBe(snapshot.ctx.storage.sql.databaseSize);
  });

  it('item 7: `using` disposal: after scope exit the WebSocket client’s server socket count drops to 0', async () => {
    const name = unique('dispose');
    {
      using ws = createTestingClient<typeof MyDO>('MY_DO', name, { transport: 'websocket' });
      expect(await ws.echo(1)).toBe(1);
      expect(await ws.ctx.getWebSockets()).toHaveLength(1);
    }
    using http = createTestingClient<typeof MyDO>('MY_DO', name);
    await vi.waitFor(async () => expect(await http.ctx.getWebSockets()).toHaveLength(0));
  });

  it('item 7: `await using` is accepted as well', async () => {
    const name = unique('await-using');
    {
      await using ws = createTestingClient<typeof MyDO>('MY_DO', name, { transport: 'websocket' });
      expect(await ws.increment()).toBe(1);
    }
    using http = createTestingClient<typeof MyDO>('MY_DO', name);
    await vi.waitFor(async () => expect(await http.ctx.getWebSockets()).toHaveLength(0));
  });

  it('item 8: clients on different instances share nothing; two on the same instance see each other’s writes', async () => {
    const a = unique('iso-a');
    using a1 = createTestingClient<typeof MyDO>('MY_DO', a);
    using a2 = createTestingClient<typeof MyDO>('MY_DO', a, { transport: 'websocket' });
    using b = createTestingClient<typeof MyDO>('MY_DO', unique('iso-b'));
    await a1.ctx.storage.kv.put('shared', 'from a1');
    expect(await a2.ctx.storage.kv.get('shared')).toBe('from a1');
    expect(await b.ctx.storage.kv.get('shared')).toBeUndefined();
  });

  it('a 64-hex unique id addresses the same instance as its name', async () => {
    const name = unique('by-id');
    using byName = createTestingClient<typeof MyDO>('MY_DO', name);
    await byName.increment();
    using byId = createTestingClient<typeof MyDO>('MY_DO', testEnv.MY_DO.idFromName(name).toString());
    expect(await byId.ctx.storage.kv.get('count')).toBe(1);
  });

  it('reads env and hops DO → DO in one call', async () => {
    const other = unique('hop');
    using client = createTestingClient<typeof MyDO>('MY_DO', unique('from'));
    expect(await client.env.MY_DO.getByName(other).increment()).toBe(1);
    using direct = createTestingClient<typeof MyDO>('MY_DO', other);
    expect(await direct.ctx.storage.kv.get('count')).toBe(1);
  });
});

describe('createTestingClient bad input (§7)', () => {
  it('an unknown binding rejects with the Worker’s 404 as RpcRouteError (status and body)', async () => {
    using client = createTestingClient<typeof MyDO>('NO_SUCH_DO', unique('x'));
    const error = await Promise.resolve(client.increment()).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(RpcRouteError);
    expect(error).toMatchObject({ name: 'RpcRouteError', code: 'RPC_ROUTE_FAILED', status: 404, body: 'app: not found' });
  });

  it('a malformed 64-hex instance id rejects with the router’s 400 InvalidInstanceIdError text', async () => {
    using client = createTestingClient<typeof MyDO>('MY_DO', 'f'.repeat(64));
    const error = (await Promise.resolve(client.increment()).then(() => undefined, (e: unknown) => e)) as RpcRouteError;
    expect(error).toBeInstanceOf(RpcRouteError);
    expect(error.status).toBe(400);
    expect(error.body).toMatch(/^InvalidInstanceIdError: /);
  });

  it('outside workerd without live-mode options it throws TestingEnvironmentError naming live mode', () => {
    const nav = (globalThis as unknown as { navigator: { userAgent: string } }).navigator;
    const spy = vi.spyOn(nav, 'userAgent', 'get').mockReturnValue('Node.js/22');
    try {
      expect(() => createTestingClient('MY_DO', 'x')).toThrow(TestingEnvironmentError);
      expect(() => createTestingClient('MY_DO', 'x')).toThrow(/Cloudflare Workers vitest environment.*live mode: pass baseUrl/);
      expect(() => new Browser()).toThrow(/three|\(1\).*\(2\).*\(3\)/);
    } finally {
      spy.mockRestore();
    }
  });

  it('a guardToken with characters that cannot travel in a header or subprotocol throws', () => {
    expect(() => createTestingClient('MY_DO', 'x', { guardToken: 'has space' })).toThrow('guardToken must be a non-empty string of token characters');
  });
});

describe('live-mode guard (item 39)', () => {
  it('a guarded Worker answers 401 without the header, and createTestingClient({ guardToken }) gets through (HTTP and WebSocket)', async () => {
    const name = unique('guard');
    const refused = await SELF.fetch(`https://app.test/guarded-rpc/guarded-do/${name}/call`, { method: 'POST', body: '[]' });
    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain(GUARD_HEADER);
    using noToken = createTestingClient<typeof MyDO>('GUARDED_DO', name, { prefix: 'guarded-rpc' });
    await expect(noToken.increment()).rejects.toMatchObject({ name: 'RpcRouteError', status: 401 });
    using wrong = createTestingClient<typeof MyDO>('GUARDED_DO', name, { prefix: 'guarded-rpc', guardToken: 'nope' });
    await expect(wrong.increment()).rejects.toMatchObject({ status: 401 });
    using http = createTestingClient<typeof MyDO>('GUARDED_DO', name, { prefix: 'guarded-rpc', guardToken: 'let-me-in' });
    expect(await http.increment()).toBe(1);
    using ws = createTestingClient<typeof MyDO>('GUARDED_DO', name, { prefix: 'guarded-rpc', guardToken: 'let-me-in', transport: 'websocket' });
    expect(await ws.increment()).toBe(2);
    // The guard's subprotocol never reaches the DO.
    const [socket] = await http.ctx.getWebSockets();
    const attachment = (await (socket as unknown as { deserializeAttachment(): Promise<unknown> }).deserializeAttachment()) as Record<string, unknown>;
    expect(JSON.stringify(attachment)).not.toContain('let-me-in');
  });
});
