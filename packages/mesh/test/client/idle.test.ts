/**
 * A connected, idle client lets its gateway hibernate (issue 13): with frames still unacknowledged
 * (the outbox is durable now), 60 s of simulated time cost the gateway no wake-ups beyond the
 * runtime's heartbeat auto-response, and no gateway timer is pending to hold it in memory. The
 * client's side is a raw socket whose pings the test sends; time is vitest's fake timers, which
 * the gateway shares (same isolate), so a gateway timer would show up in vi.getTimerCount().
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { serializeChain } from '../../src/envelope.ts';
import { newContinuation } from '../../src/ocan/continuation.ts';
import { HEARTBEAT_PING, HEARTBEAT_PONG } from '../../src/gateway/heartbeat.ts';
import { tab } from './helpers.ts';
import { openResume } from './outbox-helpers.ts';
import type { BigDO } from './outbox-nodes.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('idle gateway', () => {
  it('a connected, idle client with an unacknowledged answer for 60 s of simulated time: no wake-ups beyond the auto-response, no gateway timer pending', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    const name = `ida.${tab()}`;
    const gateway = env.COUNTING_GATEWAY.getByName(name);
    const wakeups = () =>
      runInDurableObject(gateway, (_i, state) => ({
        webSocketMessage: state.storage.kv.get<number>('wakeups:webSocketMessage') ?? 0,
        alarm: state.storage.kv.get<number>('wakeups:alarm') ?? 0,
      }));
    const sock = await openResume(name, 'COUNTING_GATEWAY', `idle-${crypto.randomUUID()}`, 0);
    expect(await sock.next()).toMatchObject({ type: 'connection_status' });
    sock.send({ type: 'call', callId: 'c1', binding: 'BIG', instance: 'idle', chain: serializeChain(newContinuation<BigDO>().small()), seq: 1 });
    expect(await sock.next()).toMatchObject({ type: 'call_response', callId: 'c1', seq: 1 }); // never acknowledged
    expect(await wakeups()).toEqual({ webSocketMessage: 1, alarm: 0 });
    expect(vi.getTimerCount()).toBe(0);

    // 60 s idle: a ping every 9 s (the client's default interval), each answered by the runtime.
    for (let t = 9_000, pongs = 1; t <= 63_000; t += 9_000, pongs++) {
      vi.advanceTimersByTime(9_000);
      sock.sendText(HEARTBEAT_PING);
      await sock.textCount(pongs);
    }
    expect(sock.texts).toEqual(Array.from({ length: 7 }, () => HEARTBEAT_PONG));
    expect(await wakeups()).toEqual({ webSocketMessage: 1, alarm: 0 });
    expect(vi.getTimerCount()).toBe(0);
    sock.ws.close(1000);
    await sock.closed;
  });
});
