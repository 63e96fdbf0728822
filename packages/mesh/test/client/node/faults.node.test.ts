/**
 * Network failures on a real socket (docs/mesh-clients.md "Failure modes"): a LumenizeClient in a
 * Node process (Node 22's own WebSocket) talks to the test Worker under real `wrangler dev` through
 * a loopback TCP proxy written here (tcp-proxy.ts) that cuts connections, resets them during the
 * opening handshake, or black-holes them (stops forwarding both ways, TCP left open: a half-open
 * socket that never fires `close`).
 *
 * - 300 calls each way through 20 seeded random cuts (some during the reconnect handshake) and 5
 *   black-holes: nothing lost, nothing run twice; dead-socket detection times are printed.
 * - The default heartbeat finds a black-holed socket within 15 s (measured, printed).
 * - A TCP reset during the opening handshake (Node fires only `error`, stays CONNECTING) and a
 *   server that never answers the upgrade (connect timeout) are both retried until connected.
 * Waits are event-driven (state changes, call completions); the only bounds are liveness limits.
 */
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../../../../tools/seeded-random.ts';
import { startWranglerDev, type WranglerDev } from '../../../../../tools/wrangler-dev.ts';
import { DEFAULT_HEARTBEAT_INTERVAL_MS, DEFAULT_PONG_TIMEOUT_MS, LumenizeClient, mesh, type ConnectionState, type LumenizeClientConfig } from '../../../src/client/index.ts';
import { makeToken } from '../sim-auth.ts';
import { TcpProxy } from './tcp-proxy.ts';

interface Stream {
  record(n: number): number;
  received(): number[];
  streamToCaller(from: number, count: number): Array<{ n: number; ok: boolean; error?: string }>;
}
interface Echo {
  echo(value: unknown): unknown;
}

/** Something happened (state change, call settled, inbound call): re-check whatever is awaited. */
class Signal {
  #waiters = new Set<() => void>();
  notify(): void {
    for (const w of [...this.#waiters]) w();
  }
  /** Resolves once `predicate` holds, re-checked on every notify; rejects after the liveness bound. */
  until(predicate: () => boolean, what: string, boundMs = 30_000): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`liveness bound (${boundMs} ms) passed waiting for ${what}`));
      }, boundMs);
      const check = () => {
        if (!predicate()) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      this.#waiters.add(check);
    });
  }
}

class FaultClient extends LumenizeClient {
  received: number[] = [];
  signal?: Signal;

  @mesh
  receive(n: number): number {
    this.received.push(n);
    this.signal?.notify();
    return n;
  }
}

/** A client plus the times of its state changes. */
function makeClient(baseUrl: string, signal: Signal, extra: Partial<LumenizeClientConfig> = {}) {
  const user = 'fay';
  const changes: Array<{ state: ConnectionState; at: number }> = [];
  const client = new FaultClient({
    instanceName: `${user}.node${Date.now()}${Math.floor(Math.random() * 1e6)}`,
    baseUrl,
    accessToken: makeToken(user),
    refresh: async () => makeToken(user),
    callTimeoutMs: 120_000,
    ...extra,
    onConnectionStateChange: (state) => {
      changes.push({ state, at: performance.now() });
      signal.notify();
    },
  });
  client.signal = signal;
  return { client, changes };
}

/** How many expected values are missing, and how many extra (duplicate) values arrived. */
function lostAndDuplicated(expected: number[], got: number[]): { lost: number; duplicated: number } {
  const seen = new Map<number, number>();
  for (const n of got) seen.set(n, (seen.get(n) ?? 0) + 1);
  const lost = expected.filter((n) => !seen.has(n)).length;
  const duplicated = [...seen.values()].reduce((sum, c) => sum + c - 1, 0);
  return { lost, duplicated };
}

let dev: WranglerDev;
const cleanup: Array<() => unknown> = [];

beforeAll(async () => {
  dev = await startWranglerDev({ cwd: join(import.meta.dirname, '..'), config: 'wrangler.jsonc', timeoutMs: 90_000 });
}, 120_000);

afterAll(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
  await dev?.stop();
});

async function proxy(): Promise<{ proxy: TcpProxy; url: string }> {
  const p = new TcpProxy(dev.port);
  const port = await p.listen();
  cleanup.push(() => p.close());
  return { proxy: p, url: `http://127.0.0.1:${port}` };
}

describe('LumenizeClient through a faulty network (Node, wrangler dev)', () => {
  it('300 calls each way through 20 cuts and 5 black-holes: lost 0, duplicated 0; detection within the heartbeat bound', async () => {
    const signal = new Signal();
    const { proxy: net, url } = await proxy();
    // Shortened heartbeat keeps wall time low; the defaults are measured by a second, idle client.
    const heartbeat = { heartbeatIntervalMs: 300, pongTimeoutMs: 700 };
    const { client, changes } = makeClient(url, signal, { ...heartbeat, connectTimeoutMs: 3_000 });
    cleanup.push(() => client.disconnect());
    const defaults = await proxy();
    const idle = makeClient(defaults.url, signal);
    cleanup.push(() => idle.client.disconnect());
    await signal.until(() => client.connectionState === 'connected' && idle.client.connectionState === 'connected', 'both clients connected');

    // The idle client (default heartbeat) loses its path now; it is measured while the load runs.
    const idleHoledAt = performance.now();
    defaults.proxy.blackhole();
    const idleDetected = signal
      .until(() => idle.changes.some((c) => c.state === 'reconnecting'), 'the idle client to notice its black hole', 20_000)
      .then(() => idle.changes.find((c) => c.state === 'reconnecting')!.at - idleHoledAt);

    const stream = `faults-${Date.now()}`;
    const N = 300;
    const CHUNK = 10;
    let outDone = 0;
    const outResults: unknown[] = [];
    const outErrors: string[] = [];

    // Client → DO: 300 record(n) calls, at most 8 in flight.
    const outbound = (async () => {
      const inflight = new Set<Promise<void>>();
      for (let n = 0; n < N; n++) {
        const p: Promise<void> = client.lmz
          .callRaw('STREAM', stream, client.ctn<Stream>().record(n))
          .then(
            (v) => void outResults.push(v),
            (e: Error) => void outErrors.push(e.message),
          )
          .finally(() => {
            outDone++;
            inflight.delete(p);
            signal.notify();
          });
        inflight.add(p);
        if (inflight.size >= 8) await signal.until(() => inflight.size < 8, 'a free call slot', 60_000);
      }
      await Promise.all(inflight);
    })();

    // DO → client: 300 receive(n) calls, streamed by the DO in chunks of 10.
    const inboundOutcomes: Array<{ n: number; ok: boolean; error?: string }> = [];
    const inbound = (async () => {
      for (let from = 0; from < N; from += CHUNK) {
        const outcomes = (await client.lmz.callRaw('STREAM', stream, client.ctn<Stream>().streamToCaller(from, CHUNK))) as typeof inboundOutcomes;
        inboundOutcomes.push(...outcomes);
      }
    })();

    // 25 faults in a seeded order, each after a little more progress, while connected.
    const rand = seededRandom(0x5eed13);
    const faults: Array<'cut' | 'cut-handshake' | 'blackhole'> = [...Array(14).fill('cut'), ...Array(6).fill('cut-handshake'), ...Array(5).fill('blackhole')];
    for (let i = faults.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [faults[i], faults[j]] = [faults[j]!, faults[i]!];
    }
    const detections: number[] = [];
    const applied: string[] = [];
    for (const fault of faults) {
      const progress = outDone + client.received.length + 1 + Math.floor(rand() * 8);
      await signal.until(() => client.connectionState === 'connected' && (outDone + client.received.length >= progress || outDone >= N), 'progress before the next fault', 60_000);
      if (fault === 'blackhole') {
        const at = performance.now();
        const seenBefore = changes.length;
        net.blackhole();
        await signal.until(() => changes.slice(seenBefore).some((c) => c.state === 'reconnecting'), 'the black hole to be noticed', 15_000);
        detections.push(changes.slice(seenBefore).find((c) => c.state === 'reconnecting')!.at - at);
      } else {
        if (fault === 'cut-handshake') net.cutNextHandshake(rand() < 0.5 ? 'request' : 'response');
        net.cut();
      }
      applied.push(fault);
    }

    await Promise.all([outbound, inbound]);
    const idleDetectionMs = await idleDetected;

    // After the faults the network is fine again: a new call succeeds.
    expect(await client.lmz.callRaw('ECHO', `after-${stream}`, client.ctn<Echo>().echo('after the storm'))).toBe('after the storm');

    const expected = Array.from({ length: N }, (_, i) => i);
    const stored = (await client.lmz.callRaw('STREAM', stream, client.ctn<Stream>().received())) as number[];
    const out = lostAndDuplicated(expected, stored);
    const inb = lostAndDuplicated(expected, client.received);
    const reconnects = changes.filter((c) => c.state === 'reconnecting').length;
    const worstDefault = DEFAULT_HEARTBEAT_INTERVAL_MS + DEFAULT_PONG_TIMEOUT_MS;
    console.log(
      [
        `[faults] faults applied: ${applied.filter((f) => f === 'cut').length} cuts, ${applied.filter((f) => f === 'cut-handshake').length} cuts + handshake resets, ${applied.filter((f) => f === 'blackhole').length} black-holes; ${reconnects} reconnects, ${net.accepted} TCP connections`,
        `[faults] client → DO: ${N} calls, lost ${out.lost}, duplicated ${out.duplicated}, failed ${outErrors.length}`,
        `[faults] DO → client: ${N} calls, lost ${inb.lost}, duplicated ${inb.duplicated}, failed ${inboundOutcomes.filter((o) => !o.ok).length}`,
        `[faults] black-hole detection with heartbeat ${heartbeat.heartbeatIntervalMs} ms + pong timeout ${heartbeat.pongTimeoutMs} ms: ${detections.map((d) => `${Math.round(d)} ms`).join(', ')} (interval + pong timeout = ${heartbeat.heartbeatIntervalMs + heartbeat.pongTimeoutMs} ms, plus timer latency)`,
        `[faults] black-hole detection with the defaults (${DEFAULT_HEARTBEAT_INTERVAL_MS} + ${DEFAULT_PONG_TIMEOUT_MS} ms): ${Math.round(idleDetectionMs)} ms measured (holed right after connecting: the worst case), bound ${worstDefault} ms (target ≤ 15000)`,
      ].join('\n'),
    );
    expect(applied).toHaveLength(25);
    expect(outErrors).toEqual([]);
    expect(outResults).toHaveLength(N);
    expect(out).toEqual({ lost: 0, duplicated: 0 });
    expect(stored).toHaveLength(N);
    expect(inboundOutcomes.filter((o) => !o.ok)).toEqual([]);
    expect(inb).toEqual({ lost: 0, duplicated: 0 });
    expect(client.received).toEqual(expected);
    expect(detections).toHaveLength(5);
    expect(idle.client.connectionState === 'connected' || idle.client.connectionState === 'reconnecting').toBe(true);
  }, 90_000);

  it('a TCP reset during the opening handshake (Node fires only error) and a server that never answers are retried until connected', async () => {
    // A plain node:net server: the first connection is reset after the upgrade request arrives,
    // the second is accepted and never answered. The third attempt goes to a forwarding proxy.
    const { proxy: forward, url: forwardUrl } = await proxy();
    const forwardPort = Number(new URL(forwardUrl).port);
    let connections = 0;
    const server: Server = createServer((socket) => {
      const index = connections++;
      socket.on('error', () => {});
      if (index === 0) socket.once('data', () => socket.resetAndDestroy());
      else if (index === 1) socket.resume(); // swallows the request, answers nothing
      else socket.destroy(); // not reached: the third attempt goes to the forwarding proxy
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const faultyPort = (server.address() as { port: number }).port;

    const signal = new Signal();
    const errors: string[] = [];
    let attempts = 0;
    const NodeWebSocket = globalThis.WebSocket;
    // Counts attempts and, after the two faulty ones, points the client at the forwarding proxy.
    class Switching extends NodeWebSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        const target = attempts++ < 2 ? String(url) : String(url).replace(`:${faultyPort}/`, `:${forwardPort}/`);
        super(target, protocols);
        signal.notify();
      }
    }
    const { client, changes } = makeClient(`http://127.0.0.1:${faultyPort}`, signal, {
      connectTimeoutMs: 1_000,
      WebSocket: Switching as unknown as typeof WebSocket,
      onConnectionError: (e) => errors.push(e.message),
    });
    cleanup.push(() => client.disconnect());
    await signal.until(() => client.connectionState === 'connected', 'connected after the faulty attempts', 20_000);
    expect(attempts).toBe(3);
    expect(connections).toBeGreaterThanOrEqual(2);
    expect(errors[0]).toBe('WebSocket error');
    expect(changes.map((c) => c.state)).toEqual(['reconnecting', 'connected']);
    expect(await client.lmz.callRaw('ECHO', `handshake-${Date.now()}`, client.ctn<Echo>().echo('through'))).toBe('through');
  }, 30_000);
});
