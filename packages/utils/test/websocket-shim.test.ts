/** The WebSocket shim through SELF.fetch to a real hibernating-WebSocket DO: spec §9 items 48–55. */
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { getWebSocketShim, type Metrics, type ShimWebSocket } from '../src/index.ts';
import { unique } from './helpers.ts';

const selfFetch = SELF.fetch.bind(SELF) as typeof fetch;
const url = (label: string) => `wss://app.test/my-do/${unique(label)}`;

/** Resolves with the next event of `type`. */
function next<T extends Event = Event>(ws: ShimWebSocket, type: string): Promise<T> {
  return new Promise((resolve) => ws.addEventListener(type, (e) => resolve(e as T), { once: true }));
}

/** Collects `count` message payloads. */
function messages(ws: ShimWebSocket, count: number): Promise<unknown[]> {
  const got: unknown[] = [];
  return new Promise((resolve) =>
    ws.addEventListener('message', (e) => {
      got.push((e as MessageEvent).data);
      if (got.length === count) resolve(got);
    }),
  );
}

async function closed(ws: ShimWebSocket): Promise<void> {
  if (ws.readyState === ws.CLOSED) return;
  const done = next(ws, 'close');
  if (ws.readyState === ws.OPEN) ws.close(1000);
  await done;
}

describe('48: URL schemes', () => {
  const WS = getWebSocketShim(selfFetch);
  it('http:// and https:// (and other schemes) throw SyntaxError', () => {
    for (const bad of ['http://app.test/my-do/x', 'https://app.test/my-do/x', 'ftp://app.test/x', 'not a url', 'wss://app.test/x#frag']) {
      let error: unknown;
      try {
        new WS(bad);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(DOMException);
      expect((error as DOMException).name).toBe('SyntaxError');
    }
  });
  it('URL objects are accepted', async () => {
    const ws = new WS(new URL(url('url-object')));
    await next(ws, 'open');
    expect(ws.readyState).toBe(WS.OPEN);
    await closed(ws);
  });
  it('duplicate or malformed protocol tokens throw SyntaxError', () => {
    expect(() => new WS(url('p'), ['chat', 'chat'])).toThrow(expect.objectContaining({ name: 'SyntaxError' }));
    expect(() => new WS(url('p'), 'bad token')).toThrow(expect.objectContaining({ name: 'SyntaxError' }));
    expect(() => new WS(url('p'), [''])).toThrow(expect.objectContaining({ name: 'SyntaxError' }));
  });
});

describe('49: the upgrade request', () => {
  it('uses https for wss, carries Upgrade, protocols and factory headers; protocol reflects the response', async () => {
    const WS = getWebSocketShim(selfFetch, { headers: { Origin: 'https://app.test', 'X-Factory': 'yes' } });
    const ws = new WS(url('upgrade'), ['chat.v2', 'chat.v1']);
    const shim = ws;
    expect(new URL(shim.request.url).protocol).toBe('https:');
    expect(shim.request.method).toBe('GET');
    expect(shim.request.headers.get('Upgrade')).toBe('websocket');
    expect(shim.request.headers.get('Sec-WebSocket-Protocol')).toBe('chat.v2, chat.v1');
    expect(ws.protocol).toBe('');
    await next(ws, 'open');
    expect(ws.protocol).toBe('chat.v2');
    expect(shim.response!.status).toBe(101);
    expect(ws.extensions).toBe('');
    const got = messages(ws, 1);
    ws.send('headers');
    const seen = JSON.parse(String((await got)[0])) as Record<string, string>;
    expect(seen.origin).toBe('https://app.test');
    expect(seen['x-factory']).toBe('yes');
    expect(seen.upgrade).toBe('websocket');
    expect(seen['x-lumenize-do-binding-name']).toBe('MY_DO');
    await closed(ws);
  });
  it('ws: becomes http:', () => {
    const WS = getWebSocketShim(selfFetch);
    const ws = new WS('ws://localhost:8787/my-do/x');
    expect(ws.request.url).toBe('http://localhost:8787/my-do/x');
    ws.close();
  });
});

describe('50: queueing while connecting', () => {
  it('messages sent while connecting are delivered in order after open; bufferedAmount reflects queued bytes', async () => {
    const WS = getWebSocketShim(selfFetch);
    const ws = new WS(url('queue'));
    const got = messages(ws, 4);
    ws.send('a');
    ws.send('bb');
    ws.send('ççç');
    expect(ws.bufferedAmount).toBe(1 + 2 + 6);
    await next(ws, 'open');
    ws.send('after-open');
    expect(await got).toEqual(['echo:a', 'echo:bb', 'echo:ççç', 'echo:after-open']);
    expect(ws.bufferedAmount).toBe(0);
    await closed(ws);
  });
  it('over maxQueueBytes throws', () => {
    const WS = getWebSocketShim(selfFetch, { maxQueueBytes: 10 });
    const ws = new WS(url('queue-limit'));
    ws.send('12345');
    ws.send('67890');
    expect(() => ws.send('x')).toThrow(/over maxQueueBytes \(10\)/);
    ws.close();
  });
});

describe('51: event handler properties and listeners', () => {
  it('onopen, onmessage, onclose fire, as do listeners; onerror fires on a refused upgrade', async () => {
    const WS = getWebSocketShim(selfFetch);
    const ws = new WS(url('handlers'));
    const fired: string[] = [];
    ws.onopen = () => fired.push('onopen');
    ws.addEventListener('open', () => fired.push('open-listener'));
    ws.onmessage = (e) => fired.push(`onmessage:${String(e.data)}`);
    ws.addEventListener('message', () => fired.push('message-listener'));
    ws.onclose = (e) => fired.push(`onclose:${e.code}`);
    expect(typeof ws.onopen).toBe('function');
    await next(ws, 'open');
    const m = next(ws, 'message');
    ws.send('x');
    await m;
    const c = next(ws, 'close');
    ws.close(1000, 'done');
    expect(ws.readyState).toBe(WS.CLOSING);
    await c;
    expect(ws.readyState).toBe(WS.CLOSED);
    expect(fired).toEqual(['onopen', 'open-listener', 'onmessage:echo:x', 'message-listener', 'onclose:1000']);

    const refused = new WS('wss://app.test/nothing-here/x');
    const order: string[] = [];
    refused.onerror = () => order.push('onerror');
    refused.onclose = () => order.push('onclose');
    await next(refused, 'close');
    expect(order).toEqual(['onerror', 'onclose']);
  });
  it('replacing a handler property removes the previous one; null clears it', async () => {
    const WS = getWebSocketShim(selfFetch);
    const ws = new WS(url('replace'));
    const fired: string[] = [];
    ws.onopen = () => fired.push('first');
    ws.onopen = () => fired.push('second');
    ws.onmessage = () => fired.push('message');
    ws.onmessage = null;
    await next(ws, 'open');
    const m = next(ws, 'message');
    ws.send('x');
    await m;
    expect(fired).toEqual(['second']);
    expect(ws.onmessage).toBeNull();
    await closed(ws);
  });
});

describe('52: binary messages', () => {
  it('arrive as Blob by default and as ArrayBuffer with binaryType arraybuffer', async () => {
    const WS = getWebSocketShim(selfFetch);
    const ws = new WS(url('binary'));
    await next(ws, 'open');
    expect(ws.binaryType).toBe('blob');
    let got = messages(ws, 1);
    ws.send(new Uint8Array([1, 2, 3]));
    const blob = (await got)[0] as Blob;
    expect(blob).toBeInstanceOf(Blob);
    expect([...new Uint8Array(await blob.arrayBuffer())]).toEqual([1, 2, 3]);
    ws.binaryType = 'arraybuffer';
    got = messages(ws, 1);
    ws.send(new Blob([new Uint8Array([4, 5])]));
    const buffer = (await got)[0] as ArrayBuffer;
    expect(buffer).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(buffer)]).toEqual([4, 5]);
    await closed(ws);
  });
});

describe('53: refused upgrade', () => {
  it('fires error then close with 1006 and wasClean false', async () => {
    const WS = getWebSocketShim(selfFetch);
    const ws = new WS('wss://app.test/unknown-binding/x');
    const events: string[] = [];
    ws.addEventListener('error', () => events.push('error'));
    const close = await next<CloseEvent>(ws, 'close');
    expect(events).toEqual(['error']);
    expect(close.code).toBe(1006);
    expect(close.wasClean).toBe(false);
    expect(ws.readyState).toBe(WS.CLOSED);
    expect(ws.response!.status).toBe(404);
  });
});

describe('54: close rules', () => {
  const WS = getWebSocketShim(selfFetch);
  it('close(1005) throws InvalidAccessError; a 124-byte reason throws SyntaxError', () => {
    const ws = new WS(url('close-rules'));
    expect(() => ws.close(1005)).toThrow(expect.objectContaining({ name: 'InvalidAccessError' }));
    expect(() => ws.close(2999)).toThrow(expect.objectContaining({ name: 'InvalidAccessError' }));
    expect(() => ws.close(5000)).toThrow(expect.objectContaining({ name: 'InvalidAccessError' }));
    expect(() => ws.close(1000, 'x'.repeat(124))).toThrow(expect.objectContaining({ name: 'SyntaxError' }));
    expect(() => ws.close(1000, 'é'.repeat(62))).toThrow(expect.objectContaining({ name: 'SyntaxError' }));
    expect(ws.readyState).toBe(WS.CONNECTING);
    ws.close(1000, 'x'.repeat(123));
  });
  it('close before connect fires close at once with the given code and drops the queue', () => {
    const ws = new WS(url('early-close'));
    ws.send('dropped');
    const codes: number[] = [];
    ws.addEventListener('close', (e) => codes.push((e as CloseEvent).code));
    ws.close(4000, 'never mind');
    expect(codes).toEqual([4000]);
    expect(ws.readyState).toBe(WS.CLOSED);
    expect(ws.bufferedAmount).toBe(0);
  });
  it('repeated close is a no-op; send after close throws InvalidStateError', async () => {
    const ws = new WS(url('repeat-close'));
    await next(ws, 'open');
    const closes: number[] = [];
    ws.addEventListener('close', (e) => closes.push((e as CloseEvent).code));
    const done = next(ws, 'close');
    ws.close(3001, 'first');
    ws.close(3002, 'second');
    expect(() => ws.send('late')).toThrow(expect.objectContaining({ name: 'InvalidStateError' }));
    await done;
    expect(closes).toEqual([3001]);
    expect(() => ws.send('later')).toThrow(expect.objectContaining({ name: 'InvalidStateError' }));
  });
  it('a close started by the server reaches the client with its code and reason', async () => {
    const ws = new WS(url('server-close'));
    await next(ws, 'open');
    const done = next<CloseEvent>(ws, 'close');
    ws.send('close-me');
    const event = await done;
    expect([event.code, event.reason]).toEqual([4001, 'server closing']);
    expect(ws.readyState).toBe(WS.CLOSED);
  });
});

describe('55: shim metrics', () => {
  it('counters match messages and bytes sent and received', async () => {
    const metrics: Metrics = {};
    const WS = getWebSocketShim(selfFetch, { metrics });
    const ws = new WS(url('metrics'));
    await next(ws, 'open');
    const got = messages(ws, 2);
    ws.send('abc');
    ws.send(new Uint8Array([1, 2]));
    await got;
    expect(metrics).toEqual({
      wsUpgradeRequests: 1,
      wsSentMessages: 2,
      wsSentPayloadBytes: 5,
      payloadBytesSent: 5,
      wsReceivedMessages: 2,
      wsReceivedPayloadBytes: 'echo:abc'.length + 2,
      payloadBytesReceived: 'echo:abc'.length + 2,
      roundTrips: 2,
    });
    await closed(ws);
  });
});

describe('hibernation', () => {
  it('the socket keeps working after the DO is evicted (hibernating-WebSocket DO)', async () => {
    const { evictDurableObject } = await import('cloudflare:test');
    const { env } = await import('./test-env.ts');
    const name = unique('hibernate');
    const WS = getWebSocketShim(selfFetch);
    const ws = new WS(`wss://app.test/my-do/${name}`);
    await next(ws, 'open');
    await evictDurableObject(env.MY_DO.getByName(name));
    const got = messages(ws, 1);
    ws.send('after-eviction');
    expect(await got).toEqual(['echo:after-eviction']);
    await closed(ws);
  });
});
