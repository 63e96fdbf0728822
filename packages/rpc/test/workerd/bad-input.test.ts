/**
 * Spec §7 bad input and §9 item 28: every refused input gets its documented error, and refused
 * batches change nothing stored.
 */
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createHttpTransport, createRpcClient, createWebSocketTransport, lumenizeRpcDO, type RpcTransport } from '../../src/index.ts';
import { encodeRequestMessage } from '../../src/wire.ts';
import { BASE_URL, makeClient, shim, stubOf, uniqueName, type Kind } from './helpers.ts';

const KINDS: Kind[] = ['http', 'websocket'];
type Loose = Record<string, any>;

async function rejection(p: unknown): Promise<Error> {
  return Promise.resolve(p).then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as Error,
  );
}

const url = (name: string, path = 'call') => `${BASE_URL}/__rpc/RPC_DO/${name}/${path}`;
const post = (name: string, body: string) => SELF.fetch(url(name), { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });

/** Opens a raw RPC socket to an instance and returns a function that sends text and awaits the next message. */
async function rawSocket(binding: string, name: string) {
  const WS = shim();
  const ws = new WS(`wss://rpc.test/__rpc/${binding}/${name}/call`, ['lumenize.rpc']);
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error('raw socket failed'));
  });
  const next = () => new Promise<string>((resolve) => (ws.onmessage = (e: MessageEvent) => resolve(String(e.data))));
  return {
    ask: (text: string) => {
      const p = next();
      ws.send(text);
      return p;
    },
    close: () => ws.close(),
  };
}

describe('lumenizeRpcDO', () => {
  it('throws at module load for a non-constructor, naming what it got', () => {
    expect(() => lumenizeRpcDO(42 as never)).toThrow('lumenizeRpcDO() expects a Durable Object class (constructor function), got number');
    expect(() => lumenizeRpcDO({} as never)).toThrow(/got an object/);
  });
});

describe('HTTP endpoint', () => {
  it('item 28: GET to /call is 405 Method not allowed; unknown endpoint is 404; undecodable body is 400 with a parse-error entry', async () => {
    const name = uniqueName('http-bad');
    const get = await SELF.fetch(url(name));
    expect([get.status, await get.text()]).toEqual([405, 'Method not allowed']);
    const unknown = await SELF.fetch(url(name, 'nope'), { method: 'POST' });
    expect([unknown.status, await unknown.text()]).toEqual([404, `Unknown RPC endpoint: /__rpc/RPC_DO/${name}/nope`]);
    for (const body of ['{not json', '{"batch":[]}', '["__rpc",1,{}]']) {
      const res = await post(name, body);
      expect(res.status).toBe(400);
      const parsed = JSON.parse(await res.text());
      expect(parsed[2][0][0]).toBe('parse-error');
    }
    const version = await post(name, '["__rpc",99,[]]');
    expect(version.status).toBe(400);
    expect(await version.text()).toContain('Unsupported RPC wire version 99');
    expect(await stubOf('RPC_DO', name).readCount()).toBe(0);
  });

  it('a batch over maxBatchSize is 400 and a body over maxRequestBytes is 413, naming the limit; nothing runs', async () => {
    const name = uniqueName('http-big');
    const many = encodeRequestMessage('__rpc', Array.from({ length: 257 }, (_v, i) => [i + 1, ['increment', [[]]]]));
    const res = await post(name, many);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('maxBatchSize 256');
    const huge = await post(name, encodeRequestMessage('__rpc', [[1, ['echo', [['x'.repeat(1024 * 1024)]]]]]));
    expect(huge.status).toBe(413);
    expect(await huge.text()).toContain('maxRequestBytes 1048576');
    expect(await stubOf('RPC_DO', name).readCount()).toBe(0);
  });

  it('an alias whose refId was never defined fails its entry; nothing runs', async () => {
    const name = uniqueName('alias');
    const res = await post(name, encodeRequestMessage('__rpc', [[1, ['add', [[null, 1], [[[0], 0, '7']]]]], [2, ['increment', [[]]]]]));
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).toContain("Nested operation alias '7' encountered before its definition");
    expect(JSON.parse(text)[2][1]).toEqual([2, 1, 1]);
  });

  it('a non-RPC HTTP error rejects the batch with HTTP <status>: <statusText>', async () => {
    const transport = createHttpTransport('RPC_DO', 'x', { baseUrl: BASE_URL, fetch: (async () => new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' })) as typeof fetch });
    using c = createRpcClient<Loose>({ transport });
    const [a, b] = await Promise.allSettled([c.add(1, 2), c.increment()]);
    expect(a.status === 'rejected' && (a.reason as Error).message).toBe('HTTP 502: Bad Gateway');
    expect(b.status === 'rejected' && (b.reason as Error).message).toBe('HTTP 502: Bad Gateway');
  });
});

describe.each(KINDS)('chains over %s', (kind) => {
  it('item 28: a 51-operation chain fails with 51 > 50 and 101 arguments with 101 > 100; nothing runs', async () => {
    const name = uniqueName('limits');
    using c = makeClient(kind, 'RPC_DO', name);
    let deep: Loose = c as unknown as Loose;
    for (let i = 0; i < 49; i++) deep = deep.x;
    expect((await rejection(deep.increment())).message).toBe('Operation chain too deep: 51 > 50');
    const args = Array.from({ length: 101 }, (_v, i) => i);
    expect((await rejection((c as unknown as Loose).add(...args))).message).toBe('Too many arguments: 101 > 100');
    expect(await stubOf('RPC_DO', name).readCount()).toBe(0);
  });

  it('unsupported argument types reject before sending, naming the type; other entries are unaffected', async () => {
    using c = makeClient(kind, 'RPC_DO', uniqueName('args'));
    const loose = c as unknown as Loose;
    const cases: [unknown, RegExp][] = [
      [() => 1, /Cannot send a function as an RPC argument/],
      [Symbol('s'), /symbol/i],
      [new ReadableStream(), /ReadableStream/],
      [new Request('https://x'), /RequestSync/],
      [new Response('x'), /ResponseSync/],
      [new WeakMap(), /WeakMap/],
      [new Map([['k', () => 1]]), /function/],
    ];
    const results = await Promise.allSettled([...cases.map(([v]) => loose.echo(v)), c.add(2, 2)]);
    cases.forEach(([, pattern], i) => {
      const r = results[i];
      expect(r.status).toBe('rejected');
      expect(((r as PromiseRejectedResult).reason as Error).message).toMatch(pattern);
    });
    expect(results[cases.length]).toEqual({ status: 'fulfilled', value: 4 });
  });

  it('an unserializable result (a Workers RPC stub) fails its entry naming the type; others are unaffected', async () => {
    using c = makeClient(kind, 'RPC_DO', uniqueName('unser'));
    const [stub, ok] = await Promise.allSettled([c.env.ROOM.getByName('r'), c.add(1, 1)] as unknown as Promise<unknown>[]);
    expect(stub.status).toBe('rejected');
    expect(((stub as PromiseRejectedResult).reason as Error).message).toMatch(/DurableObjectStub|not serializable/);
    expect(ok).toEqual({ status: 'fulfilled', value: 2 });
  });

  it('a response with an unknown id is ignored (warn) without crashing; the real entry still settles', async () => {
    const inner = kind === 'http' ? createHttpTransport('RPC_DO', uniqueName('unk'), { baseUrl: BASE_URL, fetch: (i, init) => SELF.fetch(i, init) }) : createWebSocketTransport('RPC_DO', uniqueName('unk'), { baseUrl: BASE_URL, WebSocketClass: shim() });
    const transport: RpcTransport = {
      async execute(batch) {
        const res = await inner.execute(batch);
        return { batch: [{ id: 999_999, success: true, result: 'stray' }, ...res.batch] };
      },
      setKeepAlive() {},
      disconnect: () => inner.disconnect?.(),
    };
    using c = createRpcClient<Loose>({ transport });
    expect(await c.add(2, 3)).toBe(5);
  });
});

describe('WebSocket bad input', () => {
  it('a batch over maxBatchSize or a message over maxRequestBytes fails every entry, naming the limit', async () => {
    const name = uniqueName('ws-big');
    const socket = await rawSocket('RPC_DO', name);
    const many = JSON.parse(await socket.ask(encodeRequestMessage('__rpc', Array.from({ length: 257 }, (_v, i) => [i + 1, ['increment', [[]]]]))));
    expect(many[2]).toHaveLength(257);
    expect(JSON.stringify(many[2][0])).toContain('maxBatchSize 256');
    expect(many[2][256][0]).toBe(257);
    const huge = JSON.parse(await socket.ask(encodeRequestMessage('__rpc', [[1, ['echo', [['x'.repeat(1024 * 1024)]]]]])));
    expect(huge[2][0][1]).toBe(0);
    expect(JSON.stringify(huge[2][0])).toContain('maxRequestBytes 1048576');
    socket.close();
    expect(await stubOf('RPC_DO', name).readCount()).toBe(0);
  });

  it('non-RPC messages (non-JSON, other type, binary) reach the user handler', async () => {
    const socket = await rawSocket('MANUAL_DO', uniqueName('ws-other'));
    expect(await socket.ask('not json')).toBe('echo:not json');
    expect(await socket.ask('{"type":"other"}')).toBe('echo:{"type":"other"}');
    expect(await socket.ask('["__rpcx",1,[]]')).toBe('echo:["__rpcx",1,[]]');
    socket.close();
  });

  it('invalid client id characters throw naming them; onDownstream without clientId throws (item 33)', () => {
    expect(() => createWebSocketTransport('RPC_DO', 'x', { clientId: 'a b/c' })).toThrow(/characters " ", "\/" are not allowed/);
    expect(() => createRpcClient({ transport: createWebSocketTransport('RPC_DO', 'x'), clientId: 'ok,no' })).toThrow(/","/);
    expect(() => createWebSocketTransport('RPC_DO', 'x', { onDownstream: () => {} })).toThrow('clientId is required when using onDownstream handler');
    expect(() => createRpcClient({ transport: createWebSocketTransport('RPC_DO', 'x'), onDownstream: () => {} })).toThrow('clientId is required when using onDownstream handler');
  });

  it('no WebSocket implementation: the call rejects with the documented message', async () => {
    const transport = createWebSocketTransport('RPC_DO', 'x', { baseUrl: BASE_URL, WebSocketClass: undefined });
    (transport as unknown as { connect: () => Promise<void> }).connect = Object.getPrototypeOf(transport).connect;
    const saved = globalThis.WebSocket;
    Object.defineProperty(globalThis, 'WebSocket', { value: undefined, configurable: true, writable: true });
    try {
      const t = createWebSocketTransport('RPC_DO', 'x', { baseUrl: BASE_URL });
      using c = createRpcClient<Loose>({ transport: t });
      expect((await rejection(c.add(1, 1))).message).toBe('WebSocket is not available. Please provide WebSocketClass in config.');
    } finally {
      Object.defineProperty(globalThis, 'WebSocket', { value: saved, configurable: true, writable: true });
    }
  });
});
