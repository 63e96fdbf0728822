/**
 * Reconnect backoff (mesh spec §12 item 72) with fake timers. The socket here is a scripted stand-in
 * (the spec's "injected mock WebSocket for unit-level behavior"): each one fails like an unreachable
 * server (close 1006), or opens and then drops, so only the client's timing logic is observed.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LumenizeClient } from '../../src/client/index.ts';
import { reconnectDelay } from '../../src/client/backoff.ts';

class Plain extends LumenizeClient {}

/** Records construction times; behaviour per socket is scripted by `script`. */
function scriptedSockets(script: (index: number) => 'fail' | 'open-then-drop') {
  const created: number[] = [];
  class Scripted extends EventTarget {
    readyState = 0;
    constructor() {
      super();
      const index = created.length;
      created.push(Date.now());
      void Promise.resolve().then(() => {
        if (script(index) === 'open-then-drop') {
          this.readyState = 1;
          this.dispatchEvent(new Event('open'));
        }
        this.readyState = 3;
        this.dispatchEvent(Object.assign(new Event('close'), { code: 1006, reason: '' }));
      });
    }
    send(): void {}
    close(): void {}
  }
  return { created, WebSocket: Scripted as unknown as typeof WebSocket };
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  delete (globalThis as { document?: unknown }).document;
});

async function advance(ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
}

describe('reconnect backoff (item 72)', () => {
  it('follows 1, 2, 4, 8, 16, 30, 30 s and resets after a successful open', async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, 'random').mockReturnValue(0);
    let opensAt = -1;
    const sockets = scriptedSockets((i) => (i === opensAt ? 'open-then-drop' : 'fail'));
    const client = new Plain({ instanceName: 'alice.t1', baseUrl: 'https://example.com', accessToken: 'tok', WebSocket: sockets.WebSocket });
    for (let i = 0; i < 8; i++) await advance(30_000);
    const gaps = sockets.created.slice(1, 8).map((t, i) => t - sockets.created[i]);
    expect(gaps).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);

    // The next socket opens and then drops: the delay after it is back to 1 s.
    opensAt = sockets.created.length;
    await advance(30_000);
    await advance(1_000);
    expect(sockets.created.length).toBeGreaterThan(opensAt + 1);
    expect(sockets.created[opensAt + 1] - sockets.created[opensAt]).toBe(1_000);
    client.disconnect();
  });

  it('jitter only shortens delays, by at most 20 %', () => {
    for (const attempt of [0, 1, 2, 3, 4, 5, 9]) {
      const base = Math.min(30_000, 1_000 * 2 ** attempt);
      expect(reconnectDelay(attempt, () => 0)).toBe(base);
      expect(reconnectDelay(attempt, () => 0.999999)).toBeGreaterThanOrEqual(base * 0.8);
      expect(reconnectDelay(attempt, () => 0.999999)).toBeLessThan(base);
    }
  });

  it('online / focus / visible retry at once while reconnecting, and not after disconnect()', async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const win = new EventTarget();
    const doc = Object.assign(new EventTarget(), { visibilityState: 'visible' });
    (globalThis as { window?: EventTarget }).window = win;
    (globalThis as { document?: EventTarget }).document = doc;
    try {
      const sockets = scriptedSockets(() => 'fail');
      const client = new Plain({ instanceName: 'alice.t1', baseUrl: 'https://example.com', accessToken: 'tok', WebSocket: sockets.WebSocket });
      await advance(0);
      expect(sockets.created).toHaveLength(1);
      win.dispatchEvent(new Event('online'));
      await advance(0);
      expect(sockets.created).toHaveLength(2);
      win.dispatchEvent(new Event('focus'));
      await advance(0);
      expect(sockets.created).toHaveLength(3);
      doc.dispatchEvent(new Event('visibilitychange'));
      await advance(0);
      expect(sockets.created).toHaveLength(4);
      client.disconnect();
      win.dispatchEvent(new Event('online'));
      await advance(60_000);
      expect(sockets.created).toHaveLength(4);
      expect(client.connectionState).toBe('disconnected');
    } finally {
      delete (globalThis as { window?: unknown }).window;
    }
  });
});
