/**
 * The gateway end of the heartbeat, against the real gateway in workerd (docs/mesh-clients.md
 * "Failure modes"): the runtime answers the client's ping with the pong through the WebSocket
 * auto-response (also while the gateway is hibernated), records when it did per socket, and
 * `isSocketStale` reads that record. A ping that does reach `webSocketMessage` is dropped silently.
 */
import { env, evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { getWebSocketShim } from '@lumenize/utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HEARTBEAT_PING, HEARTBEAT_PONG, isSocketStale } from '../../src/gateway/heartbeat.ts';
import { selfFetch, tab } from './helpers.ts';
import { makeToken } from './sim-auth.ts';

/** A raw client socket that keeps every text frame, JSON or not. */
async function openSocket(instanceName: string): Promise<{ ws: WebSocket; next(): Promise<string> }> {
  const Shim = getWebSocketShim(selfFetch);
  const userId = instanceName.split('.')[0]!;
  const ws = new Shim(`ws://test.local/gateway/LUMENIZE_CLIENT_GATEWAY/${instanceName}`, ['lmz', `lmz.access-token.${makeToken(userId)}`]) as unknown as WebSocket;
  const inbox: string[] = [];
  const waiters: Array<() => void> = [];
  ws.addEventListener('message', (e: MessageEvent) => {
    inbox.push(String(e.data));
    for (const w of waiters.splice(0)) w();
  });
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve());
    ws.addEventListener('close', (e: CloseEvent) => reject(new Error(`closed before open: ${e.code}`)));
  });
  return {
    ws,
    async next() {
      while (inbox.length === 0) await new Promise<void>((r) => waiters.push(r));
      return inbox.shift()!;
    },
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('gateway heartbeat', () => {
  it('answers a ping with the pong from the auto-response, also while hibernated, and records the time per socket', async () => {
    const name = `hana.${tab()}`;
    const socket = await openSocket(name);
    expect(JSON.parse(await socket.next())).toMatchObject({ type: 'connection_status' });
    const stub = env.LUMENIZE_CLIENT_GATEWAY.getByName(name);
    expect(await runInDurableObject(stub, (_i, state) => state.getWebSockets().map((ws) => state.getWebSocketAutoResponseTimestamp(ws)))).toEqual([null]);

    socket.ws.send(HEARTBEAT_PING);
    expect(await socket.next()).toBe(HEARTBEAT_PONG);
    const stamps = await runInDurableObject(stub, (_i, state) => state.getWebSockets().map((ws) => state.getWebSocketAutoResponseTimestamp(ws)?.getTime()));
    expect(stamps).toHaveLength(1);
    expect(typeof stamps[0]).toBe('number');

    // Hibernated (in-memory state gone, socket kept): the runtime still answers, no instance needed.
    await evictDurableObject(stub);
    socket.ws.send(HEARTBEAT_PING);
    expect(await socket.next()).toBe(HEARTBEAT_PONG);
    socket.ws.close(1000);
  });

  it('isSocketStale: false before any ping, false up to staleAfterMs after the last pong, true after', async () => {
    const name = `hugo.${tab()}`;
    const socket = await openSocket(name);
    await socket.next();
    const stub = env.LUMENIZE_CLIENT_GATEWAY.getByName(name);
    expect(await runInDurableObject(stub, (_i, state) => isSocketStale(state, state.getWebSockets()[0]!, Date.now() + 3_600_000, 1_000))).toBe(false);
    socket.ws.send(HEARTBEAT_PING);
    expect(await socket.next()).toBe(HEARTBEAT_PONG);
    const verdicts = await runInDurableObject(stub, (_i, state) => {
      const ws = state.getWebSockets()[0]!;
      const last = state.getWebSocketAutoResponseTimestamp(ws)!.getTime();
      return [isSocketStale(state, ws, last, 1_000), isSocketStale(state, ws, last + 1_000, 1_000), isSocketStale(state, ws, last + 1_001, 1_000)];
    });
    expect(verdicts).toEqual([false, false, true]);
    socket.ws.close(1000);
  });

  it('a ping that reaches webSocketMessage is dropped: no warning, no frame, the connection keeps working', async () => {
    const name = `hedy.${tab()}`;
    const socket = await openSocket(name);
    await socket.next();
    const warnings: string[] = [];
    vi.spyOn(console, 'warn').mockImplementation((line: unknown) => {
      warnings.push(String(line));
    });
    const stub = env.LUMENIZE_CLIENT_GATEWAY.getByName(name);
    await runInDurableObject(stub, async (instance, state) => {
      await instance.webSocketMessage(state.getWebSockets()[0]!, HEARTBEAT_PING);
    });
    expect(warnings).toEqual([]);
    // The next frame the client sees answers its next call: nothing was sent for the ping.
    socket.ws.send(JSON.stringify({ type: 'call', callId: 'c1', binding: 'NOPE', chain: { root: [], objects: [] } }));
    expect(JSON.parse(await socket.next())).toMatchObject({ type: 'call_response', callId: 'c1', success: false });
    socket.ws.close(1000);
  });
});
