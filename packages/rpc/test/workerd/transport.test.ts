/**
 * Spec §9 items 25–27, 29–33, 36 and 40: timeouts, headers, manual routing next to RPC, the WebSocket
 * lifecycle, server-side close and keep-alive, downstream messaging, guarded callbacks, onBeforeConnect,
 * and ws/wss URLs through a shim that throws on http(s).
 */
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { Metrics } from '@lumenize/utils';
import { createHttpTransport, createRpcClient, createWebSocketTransport, type RpcClient } from '../../src/index.ts';
import type { CounterBase } from '../nodes.ts';
import { BASE_URL, countingFetch, makeClient, shim, stubOf, uniqueName } from './helpers.ts';

type Loose = Record<string, any>;
type Client = RpcClient<typeof CounterBase>;
type SocketInfo = { tags: string[]; attachment: unknown };

async function rejection(p: unknown): Promise<Error> {
  return Promise.resolve(p).then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as Error,
  );
}

/** Resolves when `check` holds, polling on real I/O (each poll is an RPC round trip). */
async function until(check: () => Promise<boolean> | boolean, what: string, tries = 200): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Yields one macrotask: every queued microtask (the flush, the send on an open socket) has run. */
const macrotask = () => new Promise((r) => setTimeout(r, 0));

// Spec item 25 names 50 ms against 200 ms; on a loaded shared machine a 50 ms budget also fails the
// follow-up call, so the timeout is 1 s against an 8 s method (same behaviour, no race).
describe('timeouts (item 25)', () => {
  it('HTTP: a short timeout against a slow method rejects with the timeout in ms; a later call succeeds', async () => {
    using c = makeClient('http', 'RPC_DO', uniqueName('to-http'), { http: { timeout: 1000 } });
    expect((await rejection(c.slow(8000))).message).toBe('RPC batch timed out after 1000ms');
    expect(await c.add(1, 1)).toBe(2);
  });

  it('WebSocket: only the slow batch rejects; a late response is ignored; a later call succeeds', async () => {
    using c = makeClient('websocket', 'RPC_DO', uniqueName('to-ws'), { ws: { timeout: 1000 } });
    expect(await c.add(1, 1)).toBe(2);
    expect((await rejection(c.slow(8000))).message).toBe('RPC batch timed out after 1000ms');
    expect(await c.add(2, 2)).toBe(4);
  });
});

describe('headers (item 26)', () => {
  it('custom HTTP headers reach the Worker and the DO (onBeforeCall sees them)', async () => {
    const name = uniqueName('hdr');
    using without = makeClient<Loose>('http', 'GUARD_DO', name);
    expect((await rejection(without.whoami())).message).toBe('x-api-key header missing');
    using withKey = makeClient<Loose>('http', 'GUARD_DO', name, { http: { headers: { 'x-api-key': 'secret' } } });
    expect(await withKey.whoami()).toBe('guarded');
  });
});

describe('manual routing (item 27)', () => {
  it('custom REST routes and RPC coexist on one DO', async () => {
    const name = uniqueName('manual');
    using c = makeClient('http', 'MANUAL_DO', name);
    expect(await (await SELF.fetch(`${BASE_URL}/manual/${name}/health`)).text()).toBe('ok');
    expect(await c.increment()).toBe(1);
    expect(await (await SELF.fetch(`${BASE_URL}/manual/${name}/counter`)).json()).toEqual({ count: 1 });
    expect(await (await SELF.fetch(`${BASE_URL}/manual/${name}/reset`, { method: 'POST' })).text()).toBe('reset');
    expect(await c.increment()).toBe(1);
  });

  it('a custom WebSocket endpoint (own subprotocol, echo, PING/PONG, binary, auto-response) coexists with RPC', async () => {
    const name = uniqueName('manual-ws');
    using c = makeClient('websocket', 'MANUAL_DO', name);
    expect(await c.increment()).toBe(1);
    const WS = shim();
    const ws = new WS(`wss://rpc.test/manual/${name}/custom-ws`, ['custom.v1']);
    ws.binaryType = 'arraybuffer';
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error('custom socket failed'));
    });
    expect(ws.protocol).toBe('custom.v1');
    const ask = (data: string | Uint8Array) =>
      new Promise<unknown>((resolve) => {
        ws.onmessage = (e: MessageEvent) => resolve(e.data);
        ws.send(data);
      });
    expect(await ask('hello')).toBe('echo:hello');
    expect(await ask('PING')).toBe('PONG');
    expect([...new Uint8Array((await ask(new Uint8Array([1, 2, 3]))) as ArrayBuffer)]).toEqual([1, 2, 3]);
    expect(await ask('auto-ping')).toBe('auto-pong');
    expect(await c.increment()).toBe(2);
    ws.close();
  });
});

describe('WebSocket lifecycle (item 29)', () => {
  it('concurrent first calls share one connection; calls after open do not reconnect', async () => {
    const metrics: Metrics = {};
    using c = makeClient('websocket', 'RPC_DO', uniqueName('one-conn'), { metrics });
    const a = c.add(1, 1);
    await Promise.resolve();
    const b = c.add(2, 2);
    expect(await Promise.all([a, b])).toEqual([2, 4]);
    expect(await c.add(3, 3)).toBe(6);
    expect(metrics.wsUpgradeRequests).toBe(1);
  });

  it('dispose rejects pending calls with WebSocket disconnected; the next call reconnects; dispose before open is safe', async () => {
    const metrics: Metrics = {};
    const c = makeClient('websocket', 'RPC_DO', uniqueName('dispose'), { metrics });
    expect(await c.add(1, 1)).toBe(2);
    const pending = c.slow(2000);
    await macrotask();
    c[Symbol.dispose]();
    expect((await rejection(pending)).message).toBe('WebSocket disconnected');
    expect(await c.add(2, 2)).toBe(4);
    expect(metrics.wsUpgradeRequests).toBe(2);
    c[Symbol.dispose]();

    const early = makeClient('websocket', 'RPC_DO', uniqueName('early'));
    const call = early.add(1, 1);
    await Promise.resolve();
    expect(() => early[Symbol.dispose]()).not.toThrow();
    expect((await rejection(call)).message).toBe('WebSocket disconnected');
  });

  it.each(['RPC_DO', 'ACCEPT_DO'])('100 sequential create/use/dispose cycles leak no sockets (%s)', async (binding) => {
    const name = uniqueName('cycles');
    for (let i = 0; i < 100; i++) {
      using c = makeClient('websocket', binding, name);
      expect(await c.add(i, 1)).toBe(i + 1);
    }
    await until(async () => (await stubOf(binding, name).socketCount()) === 0, 'server sockets to close');
  });
});

describe('server close and keep-alive (item 30)', () => {
  it.each(['RPC_DO', 'ACCEPT_DO'])('a server close rejects pending entries, reports code 4001 and disconnection; keep-alive reconnects (%s)', async (binding) => {
    const name = uniqueName('srv-close');
    const closes: [number, string][] = [];
    const changes: boolean[] = [];
    const reconnected = deferred<void>();
    const transport = createWebSocketTransport(binding, name, {
      baseUrl: BASE_URL,
      WebSocketClass: shim(),
      onClose: (code, reason) => void closes.push([code, reason]),
      onConnectionChange: (up) => {
        changes.push(up);
        if (up && changes.length >= 3) reconnected.resolve();
      },
    });
    using c = createRpcClient<typeof CounterBase>({ transport });
    expect(await c.add(1, 1)).toBe(2);
    const pending = c.slow(3000);
    await macrotask();
    expect(await stubOf(binding, name).closeSockets(4001, 'bye')).toBe(1);
    expect((await rejection(pending)).message).toBe('WebSocket connection closed');
    await reconnected.promise;
    expect(closes).toEqual([[4001, 'bye']]);
    expect(changes).toEqual([true, false, true]);
    expect(transport.isConnected()).toBe(true);
    expect(await c.add(2, 2)).toBe(4);
  });
});

describe('downstream (items 31, 32, 33, 36)', () => {
  const connectWithId = async (name: string, clientId: string, extra: { additionalProtocols?: string[]; binding?: string } = {}) => {
    const received: unknown[] = [];
    const waiters: ((v: unknown) => void)[] = [];
    const c = createRpcClient<typeof CounterBase>({
      transport: createWebSocketTransport(extra.binding ?? 'RPC_DO', name, { baseUrl: BASE_URL, WebSocketClass: shim(), additionalProtocols: extra.additionalProtocols }),
      clientId,
      onDownstream: (payload) => {
        received.push(payload);
        waiters.shift()?.(payload);
      },
    });
    await c.add(0, 0);
    const next = () => new Promise<unknown>((resolve) => waiters.push(resolve));
    return { c, received, next };
  };

  it.each(['RPC_DO', 'ACCEPT_DO'])('item 31: payloads arrive with full fidelity; broadcast reaches each id; two sockets with one id both receive; tags and attachment hold the id; unknown ids are ignored (%s)', async (binding) => {
    const name = uniqueName('down');
    const a1 = await connectWithId(name, 'alice', { binding });
    const a2 = await connectWithId(name, 'alice', { binding });
    const b = await connectWithId(name, 'bob', { binding });
    const payload = { when: new Date('2026-01-01T00:00:00Z'), tags: new Set(['x']), m: new Map([[1, 2n]]) };
    const got = Promise.all([a1.next(), a2.next()]);
    await stubOf(binding, name).push('alice', payload);
    for (const p of await got) expect(p).toEqual(payload);
    const both = Promise.all([a1.next(), b.next()]);
    await a1.c.push(['alice', 'bob', 'nobody'], 'broadcast');
    expect(await both).toEqual(['broadcast', 'broadcast']);
    const sockets = (await stubOf(binding, name).socketTags()) as unknown as SocketInfo[];
    expect(sockets.map((s) => s.tags).sort()).toEqual([['alice'], ['alice'], ['bob']]);
    expect(sockets.map((s) => (s.attachment as { clientId: string }).clientId).sort()).toEqual(['alice', 'alice', 'bob']);
    await stubOf(binding, name).push('nobody', 'ignored');
    for (const x of [a1, a2, b]) x.c[Symbol.dispose]();
  });

  it('item 32: errors thrown in onDownstream, onClose and onConnectionChange are swallowed; RPC keeps working', async () => {
    const name = uniqueName('throwing');
    const called = { down: deferred<void>(), close: deferred<void>(), change: 0 };
    const c: Client = createRpcClient<typeof CounterBase>({
      transport: createWebSocketTransport('RPC_DO', name, {
        baseUrl: BASE_URL,
        WebSocketClass: shim(),
        clientId: 'thrower',
        onDownstream: () => {
          called.down.resolve();
          throw new Error('downstream boom');
        },
        onClose: () => {
          called.close.resolve();
          throw new Error('close boom');
        },
        onConnectionChange: () => {
          called.change++;
          throw new Error('change boom');
        },
      }),
    });
    expect(await c.add(1, 1)).toBe(2);
    await stubOf('RPC_DO', name).push('thrower', 'x');
    await called.down.promise;
    expect(await c.add(2, 2)).toBe(4);
    await stubOf('RPC_DO', name).closeSockets(4000, 'again');
    await called.close.promise;
    expect(await c.add(3, 3)).toBe(6);
    expect(called.change).toBeGreaterThanOrEqual(2);
    c[Symbol.dispose]();
  });

  it('item 36: onBeforeConnect refusing with 401 fails the connection; a server-chosen clientId receives downstream', async () => {
    const name = uniqueName('obc');
    using refused = makeClient('websocket', 'GUARD_DO', name, { ws: { additionalProtocols: ['auth.bad'] } });
    const e = await rejection(refused.add(1, 1));
    expect(e.message).toMatch(/^WebSocket connection failed/);
    expect(e.message).toContain('401');
    const chosen = await connectWithId(name, 'client-picked', { additionalProtocols: ['auth.server'], binding: 'GUARD_DO' });
    const next = chosen.next();
    await stubOf('GUARD_DO', name).push('server-chosen', 'for the server-chosen id');
    expect(await next).toBe('for the server-chosen id');
    const [socket] = (await stubOf('GUARD_DO', name).socketTags()) as unknown as SocketInfo[];
    expect(socket.attachment).toEqual({ clientId: 'server-chosen', role: 'tester' });
    chosen.c[Symbol.dispose]();
  });
});

describe('ws/wss URLs (item 40 / backlog 5)', () => {
  it('an https base URL connects via wss through a shim that throws on http(s) URLs', async () => {
    const WS = shim();
    expect(() => new WS('https://rpc.test/x')).toThrow(/ws: or wss:/);
    const transport = createWebSocketTransport('RPC_DO', uniqueName('wss'), { baseUrl: 'https://rpc.test/', WebSocketClass: WS });
    expect(transport.url).toMatch(/^wss:\/\/rpc\.test\/__rpc\/RPC_DO\/wss-[^/]+\/call$/);
    using c = createRpcClient<typeof CounterBase>({ transport });
    expect(await c.add(1, 2)).toBe(3);
    expect(createWebSocketTransport('A', 'b', { baseUrl: 'http://h:1//', prefix: '//p//' }).url).toBe('ws://h:1/p/A/b/call');
    expect(createWebSocketTransport('A', 'b', { baseUrl: 'wss://h' }).url).toBe('wss://h/__rpc/A/b/call');
    expect(createHttpTransport('A', 'b', { baseUrl: 'https://h/', fetch: countingFetch({}) }).url).toBe('https://h/__rpc/A/b/call');
  });
});
