/**
 * Failure detectors of LumenizeClient with fake timers (docs/mesh-clients.md "Failure modes"):
 * heartbeat pings and the pong timeout, the connect timeout, a socket that only fires `error`
 * (Node 22 on a reset handshake), and the browser's offline / online / visible hints. The socket is
 * a scripted stand-in that plays the gateway's part (connection_status, pongs), so only the
 * client's timing logic is observed; the real gateway's auto-response is tested in
 * gateway-heartbeat.test.ts and the real network in node/faults.node.test.ts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_PONG_TIMEOUT_MS,
  HEARTBEAT_PING,
  HEARTBEAT_PONG,
  LumenizeClient,
  type ConnectionState,
  type LumenizeClientConfig,
} from '../../src/client/index.ts';

class Plain extends LumenizeClient {}

type Behaviour = 'healthy' | 'silent' | 'error-only' | 'never-opens';

/** Scripted sockets: each opens and sends connection_status (unless scripted otherwise) and answers pings while `answering`. */
function scriptedSockets(script: (index: number) => Behaviour) {
  const sockets: Array<{ pings: number; closedWith?: number; behaviour: Behaviour; answering: boolean; deliver(data: string): void }> = [];
  class Scripted extends EventTarget {
    readyState = 0;
    #record: (typeof sockets)[number];
    constructor() {
      super();
      const behaviour = script(sockets.length);
      const self = this;
      this.#record = {
        pings: 0,
        behaviour,
        answering: behaviour === 'healthy',
        deliver(data: string) {
          self.dispatchEvent(Object.assign(new Event('message'), { data }));
        },
      };
      sockets.push(this.#record);
      void Promise.resolve().then(() => {
        if (behaviour === 'never-opens') return;
        if (behaviour === 'error-only') {
          this.dispatchEvent(new Event('error'));
          return;
        }
        this.readyState = 1;
        this.dispatchEvent(new Event('open'));
        this.#record.deliver(JSON.stringify({ type: 'connection_status', subscriptionsLost: false }));
      });
    }
    send(data: string): void {
      if (data !== HEARTBEAT_PING) return;
      this.#record.pings++;
      if (this.#record.answering) void Promise.resolve().then(() => this.#record.deliver(HEARTBEAT_PONG));
    }
    close(code?: number): void {
      this.#record.closedWith = code;
      this.readyState = 3;
    }
  }
  return { sockets, WebSocket: Scripted as unknown as typeof WebSocket };
}

function client(WebSocketImpl: typeof WebSocket, extra: Partial<LumenizeClientConfig> = {}): { client: Plain; states: ConnectionState[] } {
  const states: ConnectionState[] = [];
  const c = new Plain({
    instanceName: 'alice.t1',
    baseUrl: 'https://example.com',
    accessToken: 'tok',
    WebSocket: WebSocketImpl,
    onConnectionStateChange: (s) => states.push(s),
    ...extra,
  });
  return { client: c, states };
}

async function advance(ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  delete (globalThis as { window?: unknown }).window;
  delete (globalThis as { document?: unknown }).document;
});

describe('heartbeat', () => {
  it('the defaults detect a dead socket within 15 s', () => {
    expect(DEFAULT_HEARTBEAT_INTERVAL_MS + DEFAULT_PONG_TIMEOUT_MS).toBeLessThanOrEqual(15_000);
    expect(HEARTBEAT_PING).not.toBe(HEARTBEAT_PONG);
    // Neither is JSON, so no protocol frame (a JSON object) can equal them.
    expect(() => JSON.parse(HEARTBEAT_PING)).toThrow();
    expect(() => JSON.parse(HEARTBEAT_PONG)).toThrow();
  });

  it('an idle, healthy connection is pinged on the interval and never reconnects', async () => {
    vi.useFakeTimers();
    const { sockets, WebSocket } = scriptedSockets(() => 'healthy');
    const { client: c, states } = client(WebSocket);
    await advance(0);
    expect(c.connectionState).toBe('connected');
    await advance(10 * 60_000);
    expect(sockets).toHaveLength(1);
    expect(sockets[0]!.pings).toBe(Math.floor((10 * 60_000) / DEFAULT_HEARTBEAT_INTERVAL_MS));
    expect(states).toEqual(['connected']);
    c.disconnect();
  });

  it('a socket that stops answering pings is given up after the pong timeout, and a new one connects', async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const { sockets, WebSocket } = scriptedSockets(() => 'healthy');
    const { client: c, states } = client(WebSocket, { heartbeatIntervalMs: 2_000, pongTimeoutMs: 1_000 });
    await advance(0);
    await advance(2_000);
    expect(sockets[0]!.pings).toBe(1);
    // Half-open from here on: frames go nowhere, nothing closes.
    sockets[0]!.answering = false;
    await advance(2_000 + 1_000 - 1);
    expect(c.connectionState).toBe('connected');
    await advance(1);
    expect(c.connectionState).toBe('reconnecting');
    expect(sockets[0]!.closedWith).toBe(4000);
    // A pong arriving late on the abandoned socket changes nothing.
    sockets[0]!.deliver(HEARTBEAT_PONG);
    await advance(1_000);
    expect(sockets).toHaveLength(2);
    expect(c.connectionState).toBe('connected');
    expect(states).toEqual(['connected', 'reconnecting', 'connected']);
    c.disconnect();
  });

  it('calls in flight on a half-open socket are not lost: they wait for the reconnect', async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const { sockets, WebSocket } = scriptedSockets((i) => (i === 0 ? 'silent' : 'healthy'));
    const { client: c } = client(WebSocket, { heartbeatIntervalMs: 1_000, pongTimeoutMs: 1_000 });
    await advance(0);
    const call = c.lmz.callRaw('ECHO', 'e', c.ctn<{ echo(v: number): number }>().echo(1));
    const settled = vi.fn();
    call.then(settled, settled);
    await advance(2_000);
    expect(c.connectionState).toBe('reconnecting');
    expect(settled).not.toHaveBeenCalled();
    c.disconnect();
    await expect(call).rejects.toThrow('Client disconnected');
  });
});

describe('connect timeout and socket errors', () => {
  it('an attempt that neither opens nor closes is abandoned after connectTimeoutMs and retried', async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const { sockets, WebSocket } = scriptedSockets((i) => (i === 0 ? 'never-opens' : 'healthy'));
    const { client: c } = client(WebSocket);
    await advance(DEFAULT_CONNECT_TIMEOUT_MS - 1);
    expect(sockets).toHaveLength(1);
    expect(c.connectionState).toBe('connecting');
    await advance(1);
    expect(c.connectionState).toBe('reconnecting');
    expect(sockets[0]!.closedWith).toBe(4000);
    await advance(1_000);
    expect(sockets).toHaveLength(2);
    expect(c.connectionState).toBe('connected');
    c.disconnect();
  });

  it('a socket that fires only error (Node 22, reset during the handshake) is given up at once and retried', async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const errors: Error[] = [];
    const { sockets, WebSocket } = scriptedSockets((i) => (i === 0 ? 'error-only' : 'healthy'));
    const { client: c } = client(WebSocket, { onConnectionError: (e) => errors.push(e) });
    await advance(0);
    expect(c.connectionState).toBe('reconnecting');
    expect(errors.map((e) => e.message)).toEqual(['WebSocket error']);
    await advance(1_000);
    expect(sockets).toHaveLength(2);
    expect(c.connectionState).toBe('connected');
    c.disconnect();
  });

  it('rejects non-positive heartbeat, pong and connect timeouts with the field named', () => {
    const { WebSocket } = scriptedSockets(() => 'never-opens');
    expect(() => client(WebSocket, { heartbeatIntervalMs: 0 })).toThrow('LumenizeClient heartbeatIntervalMs must be a positive number of milliseconds, got 0');
    expect(() => client(WebSocket, { pongTimeoutMs: -1 })).toThrow('LumenizeClient pongTimeoutMs must be a positive number of milliseconds, got -1');
    expect(() => client(WebSocket, { connectTimeoutMs: Number.NaN })).toThrow('LumenizeClient connectTimeoutMs must be a positive number of milliseconds, got NaN');
  });
});

describe('browser network hints', () => {
  function installBrowser(): { win: EventTarget; doc: EventTarget & { visibilityState: string } } {
    const win = new EventTarget();
    const doc = Object.assign(new EventTarget(), { visibilityState: 'visible' });
    (globalThis as { window?: EventTarget }).window = win;
    (globalThis as { document?: EventTarget }).document = doc;
    return { win, doc };
  }

  it('offline gives the socket up at once (Chromium keeps it open); online reconnects at once', async () => {
    vi.useFakeTimers();
    const { win } = installBrowser();
    const { sockets, WebSocket } = scriptedSockets(() => 'healthy');
    const { client: c } = client(WebSocket);
    await advance(0);
    expect(c.connectionState).toBe('connected');
    win.dispatchEvent(new Event('offline'));
    expect(c.connectionState).toBe('reconnecting');
    expect(sockets[0]!.closedWith).toBe(4000);
    win.dispatchEvent(new Event('online'));
    await advance(0);
    expect(sockets).toHaveLength(2);
    expect(c.connectionState).toBe('connected');
    c.disconnect();
  });

  it('online or the page becoming visible while connected pings at once: a dead socket is found within the pong timeout', async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const { win, doc } = installBrowser();
    const { sockets, WebSocket } = scriptedSockets(() => 'healthy');
    const { client: c } = client(WebSocket);
    await advance(0);
    win.dispatchEvent(new Event('online'));
    expect(sockets[0]!.pings).toBe(1);
    await advance(0);
    expect(c.connectionState).toBe('connected');

    // The laptop slept; the socket died without a close. Becoming visible finds out quickly.
    sockets[0]!.answering = false;
    doc.dispatchEvent(new Event('visibilitychange'));
    expect(sockets[0]!.pings).toBe(2);
    await advance(DEFAULT_PONG_TIMEOUT_MS);
    expect(c.connectionState).toBe('reconnecting');
    c.disconnect();
  });
});
