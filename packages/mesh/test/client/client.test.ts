/**
 * LumenizeClient against real gateways (mesh spec §12 items 57, 69–71, 73–80, 82): every client
 * connects through utils' Browser and WebSocket shim to the test Worker (router + simulated auth).
 */
import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClientDisconnectedError, LoginRequiredError, LumenizeClient, type LumenizeClientConfig } from '../../src/client/index.ts';
import { Browser } from '@lumenize/utils';
import { mesh } from '../../src/decorators.ts';
import { makeToken } from './sim-auth.ts';
import { selfFetch, tab, until } from './helpers.ts';
import { TestClient, browserFor, connected, installWindowStub, makeClient, type MadeClient } from './test-client.ts';
import type { ClientCallOutcome, EchoDO, StreamDO } from './worker.ts';

const live: LumenizeClient[] = [];
afterEach(() => {
  for (const c of live.splice(0)) c.disconnect();
  vi.useRealTimers();
});

function track<C extends LumenizeClient>(made: MadeClient<C>): MadeClient<C> {
  live.push(made.client);
  return made;
}

describe('LumenizeClient configuration (items 69, 70)', () => {
  class Plain extends LumenizeClient {}
  const base = { baseUrl: 'https://example.com', WebSocket: class {} as unknown as typeof WebSocket, accessToken: 'x' };

  it('throws for a missing or malformed instanceName and a missing baseUrl outside a browser', () => {
    expect(() => new Plain({ ...base } as unknown as LumenizeClientConfig)).toThrow('LumenizeClient requires instanceName in config');
    expect(() => new Plain({ ...base, instanceName: 'alice' })).toThrow("instanceName must be '{userId}.{tabId}'");
    expect(() => new Plain({ ...base, instanceName: '.tab' })).toThrow("instanceName must be '{userId}.{tabId}'");
    expect(() => new Plain({ ...base, instanceName: 'alice.' })).toThrow("instanceName must be '{userId}.{tabId}'");
    expect(() => new Plain({ ...base, baseUrl: undefined, instanceName: 'alice.t1' })).toThrow('requires baseUrl in config outside a browser');
  });

  it('builds wss:// and ws:// URLs under /gateway and offers lmz plus the token subprotocol', async () => {
    const seen: Array<{ url: string; protocols: string[] }> = [];
    class Recorder extends EventTarget {
      constructor(url: string, protocols: string[]) {
        super();
        seen.push({ url, protocols });
      }
      close(): void {}
    }
    const WS = Recorder as unknown as typeof WebSocket;
    const a = new Plain({ instanceName: 'alice.tab123', baseUrl: 'https://example.com', gatewayBindingName: 'MY_GATEWAY', accessToken: 'tok', WebSocket: WS });
    const b = new Plain({ instanceName: 'alice.tab123', baseUrl: 'http://example.com', accessToken: 'tok', WebSocket: WS });
    await until(() => seen.length === 2, 'two sockets');
    expect(seen[0].url).toBe('wss://example.com/gateway/MY_GATEWAY/alice.tab123');
    expect(seen[1].url).toBe('ws://example.com/gateway/LUMENIZE_CLIENT_GATEWAY/alice.tab123');
    expect(seen[0].protocols).toContain('lmz');
    expect(seen[0].protocols).toContain('lmz.access-token.tok');
    a.disconnect();
    b.disconnect();
  });
});

describe('LumenizeClient calls', () => {
  it('states go connecting → connected (not on socket open) and callbacks see each change once (item 71)', async () => {
    const win = installWindowStub();
    const made = track(makeClient(TestClient, 'alice'));
    expect(made.client.connectionState).toBe('connecting');
    await connected(made.client);
    expect(made.sockets.openStates).toEqual(['connecting']);
    made.sockets.drop();
    await until(() => made.client.connectionState === 'reconnecting', 'reconnecting');
    win.dispatchEvent(new Event('online'));
    await connected(made.client);
    made.client.disconnect();
    expect(made.states).toEqual(['connected', 'reconnecting', 'connected', 'disconnected']);
  });

  it('callRaw reaches a DO; call() returns undefined and runs the handler later with $result', async () => {
    const { client } = track(makeClient(TestClient, 'alice'));
    expect(await client.lmz.callRaw('ECHO', 'c-1', client.ctn<EchoDO>().echo('hello'))).toBe('hello');
    const ret = client.lmz.call('ECHO', 'c-1', client.ctn<EchoDO>().echo(42), client.ctn<TestClient>().onResult(client.ctn().$result));
    expect(ret).toBeUndefined();
    expect(client.handled).toEqual([]);
    await until(() => client.handled.length === 1, 'handler');
    expect(client.handled).toEqual([42]);
    client.lmz.call('ECHO', 'c-1', client.ctn<EchoDO>().fail('boom'), client.ctn<TestClient>().onResult(client.ctn().$result));
    await until(() => client.handled.length === 2, 'error handler');
    expect(client.handled[1]).toBeInstanceOf(Error);
    expect((client.handled[1] as Error).message).toBe('boom');
  });

  it('ctnBatch from a client runs on a DO callee and is refused by a client callee', async () => {
    const made = track(makeClient(TestClient, 'alice'));
    const { client } = made;
    const e = client.ctn<EchoDO>();
    expect(await client.lmz.callRaw('ECHO', 'c-batch', client.ctnBatch([e.echo(1), e.echo('two')]))).toEqual([1, 'two']);
    await expect(client.lmz.callRaw('LUMENIZE_CLIENT_GATEWAY', made.instanceName, client.ctnBatch([client.ctn<TestClient>().ping(1)]))).rejects.toThrow(
      'Batches require a LumenizeDO callee',
    );
  });

  it('rejects CallOptions.state and non-continuations on the client', () => {
    const { client } = track(makeClient(TestClient, 'alice'));
    expect(() => client.lmz.call('ECHO', 'x', client.ctn<EchoDO>().echo(1), undefined, { state: { a: 1 } })).toThrow('state cannot be set by clients; pass data as arguments');
    expect(() => client.lmz.call('ECHO', 'x', {} as never)).toThrow('Invalid remoteContinuation');
    expect(() => client.lmz.call('ECHO', 'x', client.ctn<EchoDO>().echo(1), {} as never)).toThrow('Invalid handlerContinuation');
    expect(() => client.lmz.call('ECHO', 'x', client.ctn<EchoDO>().echo(() => 1))).toThrow(TypeError);
    expect(() => client.lmz.publish('t', 1)).toThrow('cannot publish');
    expect(() => client.lmz.callContext).toThrow('Cannot access callContext outside of a mesh call');
  });

  it('a DO calling a connected client gets its @mesh result; a non-@mesh method is not mesh-callable (item 57)', async () => {
    const made = track(makeClient(TestClient, 'alice'));
    await connected(made.client);
    const echo = env.ECHO.getByName('c-57');
    expect(await echo.callClient('LUMENIZE_CLIENT_GATEWAY', made.instanceName, 'ping', [5])).toEqual({ ok: true, value: 'pong 5' });
    expect(await echo.callClient('LUMENIZE_CLIENT_GATEWAY', made.instanceName, 'notMesh', [])).toMatchObject({ ok: false, message: "Method 'notMesh' is not mesh-callable" });
    expect(await echo.callClient('LUMENIZE_CLIENT_GATEWAY', made.instanceName, 'lmz', [])).toMatchObject({ ok: false });
  });

  it('calls made while connecting wait for connection_status, flush in order; 101st fails; queued calls time out (item 73)', async () => {
    let release!: (token: string) => void;
    const gate = new Promise<string>((r) => (release = r));
    const made = track(makeClient(TestClient, 'alice', { refresh: () => gate, callTimeoutMs: 5_000 }));
    const { client } = made;
    const stream = `q-${tab()}`;
    const calls = Array.from({ length: 100 }, (_, i) => client.lmz.callRaw('STREAM', stream, client.ctn<StreamDO>().record(i)));
    await expect(client.lmz.callRaw('STREAM', stream, client.ctn<StreamDO>().record(100))).rejects.toThrow('Message queue full');
    expect(made.sockets.sockets).toHaveLength(0);
    release(makeToken('alice'));
    expect(await Promise.all(calls)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(await env.STREAM.getByName(stream).received()).toEqual(Array.from({ length: 100 }, (_, i) => i));

    const slow = track(makeClient(TestClient, 'alice', { refresh: () => new Promise<string>(() => {}), callTimeoutMs: 50 }));
    await expect(slow.client.lmz.callRaw('ECHO', 'x', slow.client.ctn<EchoDO>().echo(1))).rejects.toThrow('Call timed out');
  });

  it('disconnect() and dispose reject pending and queued calls; a using block ends disconnected (item 74)', async () => {
    const made = makeClient(TestClient, 'alice', { refresh: () => new Promise<string>(() => {}) });
    const queued = made.client.lmz.callRaw('ECHO', 'x', made.client.ctn<EchoDO>().echo(1));
    made.client.disconnect();
    await expect(queued).rejects.toThrow('Client disconnected');
    expect(made.client.connectionState).toBe('disconnected');

    let inner: MadeClient<TestClient> | undefined;
    let pending: Promise<unknown> | undefined;
    {
      using c = makeClient(TestClient, 'alice').client;
      inner = { client: c } as MadeClient<TestClient>;
      await connected(c);
      pending = c.lmz.callRaw('ECHO', 'x', c.ctn<EchoDO>().echo(1)).catch((e: Error) => e);
    }
    expect(inner.client.connectionState).toBe('disconnected');
    // Disposed in the same turn the call was made: it cannot have been answered, so it must reject.
    const outcome = await pending;
    expect(outcome).toBeInstanceOf(Error);
    expect((outcome as Error).message).toBe('Client disconnected');
  });
});

describe('LumenizeClient close codes and token refresh', () => {
  it('close 4400 / 4403 calls onLoginRequired with that code and does not reconnect (item 75)', async () => {
    const win = installWindowStub();
    for (const code of [4400, 4403]) {
      // Fake timers from before the client exists, so a reconnect timer (if the client set one) is ours to fire.
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const errors: LoginRequiredError[] = [];
      const made = track(makeClient(TestClient, 'alice', { gatewayBindingName: 'CLOSER', instanceName: `alice.c${code}`, onLoginRequired: (e) => errors.push(e) }));
      await vi.waitFor(() => expect(errors).toHaveLength(1));
      expect(errors[0]).toBeInstanceOf(LoginRequiredError);
      expect(errors[0].code).toBe(code);
      expect(made.client.connectionState).toBe('disconnected');
      // Every way back in: the retry hint, and time past the longest backoff (30 s). None opens a socket.
      win.dispatchEvent(new Event('online'));
      vi.advanceTimersByTime(60_000);
      await Promise.resolve();
      expect(made.sockets.sockets).toHaveLength(1);
      expect(made.client.connectionState).toBe('disconnected');
      vi.useRealTimers();
    }
  });

  it('close 4409 ends in disconnected with onConnectionError, no reconnect', async () => {
    const errors: Error[] = [];
    const first = track(makeClient(TestClient, 'alice', { onConnectionError: (e) => errors.push(e) }));
    await connected(first.client);
    const second = track(makeClient(TestClient, 'alice', { instanceName: first.instanceName }));
    await connected(second.client);
    await until(() => first.client.connectionState === 'disconnected', 'superseded');
    expect(errors.some((e) => e instanceof ClientDisconnectedError && /Superseded/.test(e.message))).toBe(true);
    expect(first.sockets.sockets).toHaveLength(1);
  });

  it('4401 triggers a POST refresh with credentials, reconnects with the new token and re-sends the retryable call (items 76, 78)', async () => {
    const browser = browserFor('alice');
    const refreshes: RequestInit[] = [];
    const fetchSpy = ((input: RequestInfo | URL, init?: RequestInit) => {
      refreshes.push(init ?? {});
      return browser.fetch(input, init);
    }) as typeof fetch;
    const expiredAtGateway = makeToken('alice', 3600, { forwardExp: Math.floor(Date.now() / 1000) - 5 });
    const made = track(makeClient(TestClient, 'alice', { accessToken: expiredAtGateway, fetch: fetchSpy }, browser));
    await connected(made.client);
    expect(await made.client.lmz.callRaw('ECHO', 'c-76', made.client.ctn<EchoDO>().echo('after refresh'))).toBe('after refresh');
    expect(refreshes).toHaveLength(1);
    expect(refreshes[0]).toMatchObject({ method: 'POST', credentials: 'include' });
    expect(made.sockets.sockets).toHaveLength(2);
    expect(made.sockets.protocols[1].find((p) => p.startsWith('lmz.access-token.'))).not.toBe(`lmz.access-token.${expiredAtGateway}`);
  });

  it('a 401 from the refresh endpoint calls onLoginRequired with 401; the function form is used when given (item 76)', async () => {
    const errors: LoginRequiredError[] = [];
    const made = track(makeClient(TestClient, 'nobody', { onLoginRequired: (e) => errors.push(e) }, new Browser(selfFetch)));
    await until(() => errors.length === 1, 'login required');
    expect(errors[0].code).toBe(401);
    expect(made.client.connectionState).toBe('disconnected');

    let used = 0;
    const fn = track(makeClient(TestClient, 'alice', { refresh: async () => (used++, makeToken('alice')) }));
    await connected(fn.client);
    expect(used).toBe(1);
  });

  it('refreshes before the first socket without accessToken, and before the reconnect socket when the token expired (item 77)', async () => {
    const order: string[] = [];
    const win = installWindowStub();
    const browser = browserFor('alice');
    const made = track(
      makeClient(TestClient, 'alice', {
        fetch: ((i: RequestInfo | URL, init?: RequestInit) => (order.push('refresh'), browser.fetch(i, init))) as typeof fetch,
        refresh: 'http://test.local/auth/refresh-token?ttl=1',
      }, browser),
    );
    const originalPush = made.sockets.sockets.push.bind(made.sockets.sockets);
    made.sockets.sockets.push = (...ws: WebSocket[]) => (order.push('socket'), originalPush(...ws));
    await connected(made.client);
    expect(order).toEqual(['refresh', 'socket']);
    // The 1-second token expires on a faked clock (Date only; the isolate's Worker code shares it), then the socket drops.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 2_000);
    made.sockets.drop();
    await until(() => made.client.connectionState === 'reconnecting', 'reconnecting');
    win.dispatchEvent(new Event('online'));
    await until(() => order.length >= 4, 'refresh and socket');
    expect(order.slice(0, 4)).toEqual(['refresh', 'socket', 'refresh', 'socket']);
  });
});

describe('LumenizeClient inbound calls', () => {
  it('default onBeforeCall: rejects another client origin, accepts its own origin and DO origins (item 79)', async () => {
    const alice = track(makeClient(TestClient, 'alice'));
    const bob = track(makeClient(TestClient, 'bob'));
    await connected(alice.client);
    await connected(bob.client);
    await expect(bob.client.lmz.callRaw('LUMENIZE_CLIENT_GATEWAY', alice.instanceName, bob.client.ctn<TestClient>().ping(1))).rejects.toThrow(
      'Peer-to-peer client calls are disabled by default. Override onBeforeCall() to allow them.',
    );
    const viaDO = (await alice.client.lmz.callRaw('ECHO', 'c-79', alice.client.ctn<EchoDO>().callMeBack('origin', []))) as { ok: boolean; value: Array<{ instanceName?: string }> };
    expect(viaDO.ok).toBe(true);
    expect(viaDO.value[0].instanceName).toBe(alice.instanceName);
    expect(await env.ECHO.getByName('c-79').callClient('LUMENIZE_CLIENT_GATEWAY', alice.instanceName, 'ping', [2])).toEqual({ ok: true, value: 'pong 2' });
  });

  it('a call the client makes from inside an incoming-call handler arrives with callChain [client] (item 55)', async () => {
    class Relay extends TestClient {
      @mesh
      relay(): Promise<unknown> {
        return this.lmz.callRaw('ECHO', 'c-55', this.ctn<EchoDO>().whoAmI());
      }
    }
    const made = track(makeClient(Relay, 'alice'));
    await connected(made.client);
    const outcome = (await env.ECHO.getByName('c-55b').callClient('LUMENIZE_CLIENT_GATEWAY', made.instanceName, 'relay', [])) as ClientCallOutcome;
    expect(outcome.ok).toBe(true);
    expect((outcome.value as { callChain: unknown[] }).callChain).toEqual([{ type: 'LumenizeClient', bindingName: 'LUMENIZE_CLIENT_GATEWAY', instanceName: made.instanceName }]);
  });

  it('rich values survive client → DO → client (item 82)', async () => {
    const { client } = track(makeClient(TestClient, 'alice'));
    const key = { id: 1 };
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const error = new Error('outer', { cause: new TypeError('inner') });
    const payload = { cyclic, map: new Map<object, string>([[key, 'v']]), key, set: new Set([1, 2]), date: new Date(1_700_000_000_000), big: 2n ** 70n, error };
    const back = (await client.lmz.callRaw('ECHO', 'c-82', client.ctn<EchoDO>().echo(payload))) as typeof payload;
    expect(back.cyclic.self).toBe(back.cyclic);
    expect(back.map.get(back.key)).toBe('v');
    expect([...back.set]).toEqual([1, 2]);
    expect(back.date).toBeInstanceOf(Date);
    expect(back.date.getTime()).toBe(1_700_000_000_000);
    expect(back.big).toBe(2n ** 70n);
    expect(back.error).toBeInstanceOf(Error);
    expect(back.error.cause).toBeInstanceOf(TypeError);
    expect((back.error.cause as Error).message).toBe('inner');
  });
});
