/**
 * Batching (issue 18 item 1, docs/mesh-clients.md "Batching"): the frames a side produces in one
 * tick leave as one `batch` frame under one seq, the gateway forwards the calls for one Durable
 * Object as one Workers RPC (`__executeBatch`), and none of it is observable except on the wire:
 *
 * | must show | test |
 * | --- | --- |
 * | order per direction | "calls of one tick leave as one frame …", "DO → client calls keep their order …" |
| acks ride on the next frame | "acks ride on the next frame …" |
 * | one failing call in a batch fails only itself | "one failing call in a batch fails only itself", "a malformed batch entry …" |
 * | the rate limit counts calls, not frames | "the rate limit counts calls, not frames" |
 * | resume with a cut in the middle of a batch | "a cut in the middle of a batch …", "a batch frame re-sent after resume …" |
 * | an oversize batch is split, never refused whole | "an oversize batch is split …" |
 */
import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it } from 'vitest';
import type { LumenizeClient } from '../../src/client/index.ts';
import { MAX_FRAME_BYTES } from '../../src/client/frames.ts';
import { buildCallEnvelope, serializeChain } from '../../src/envelope.ts';
import { newContinuation } from '../../src/ocan/continuation.ts';
import { openResume } from './outbox-helpers.ts';
import type { HoldDO } from './outbox-nodes.ts';
import { TestClient, browserFor, connected, installWindowStub, makeClient } from './test-client.ts';
import { tab, until } from './helpers.ts';
import type { EchoDO, StreamDO } from './worker.ts';

const live: LumenizeClient[] = [];
afterEach(() => {
  for (const c of live.splice(0)) c.disconnect();
});

/** Records every text frame a client's sockets send and receive. */
class Wire {
  readonly sent: string[] = [];
  readonly received: string[] = [];
  readonly sockets: WebSocket[] = [];
  readonly WebSocket: typeof WebSocket;

  constructor(Base: typeof WebSocket) {
    const wire = this;
    this.WebSocket = class extends (Base as unknown as new (url: string, protocols?: string | string[]) => WebSocket) {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols);
        wire.sockets.push(this);
        this.addEventListener('message', (e: MessageEvent) => wire.received.push(String(e.data)));
      }
      override send(data: string | ArrayBuffer | ArrayBufferView): void {
        if (typeof data === 'string') wire.sent.push(data);
        super.send(data);
      }
    } as unknown as typeof WebSocket;
  }

  reset(): void {
    this.sent.length = 0;
    this.received.length = 0;
  }

  /** Protocol frames (JSON objects) of one direction. */
  frames(direction: 'sent' | 'received'): Array<Record<string, unknown>> {
    return this[direction].filter((t) => t.startsWith('{')).map((t) => JSON.parse(t) as Record<string, unknown>);
  }

  /** Frames of one direction that carry a frame of `type` (alone or in a batch), with the inner frames. */
  carrying(direction: 'sent' | 'received', type: string): Array<{ text: string; inner: Array<Record<string, unknown>> }> {
    const out: Array<{ text: string; inner: Array<Record<string, unknown>> }> = [];
    for (const text of this[direction]) {
      if (!text.startsWith('{')) continue;
      const f = JSON.parse(text) as Record<string, unknown>;
      // A compact batch (`t: 'b'`) drops the type of its usual inner frames: calls sent, responses received.
      const kind = direction === 'sent' ? 'c' : 'r';
      const list = f.type === 'batch' ? (f.frames as Array<Record<string, unknown>>) : f.t === 'b' ? (f.f as Array<Record<string, unknown>>).map((i) => (i.t === undefined && i.type === undefined ? { ...i, t: kind } : i)) : [f];
      const inner = list.map(longForm);
      const matching = inner.filter((i) => i.type === type);
      if (matching.length > 0) out.push({ text, inner: matching });
    }
    return out;
  }

  /** Drops the current socket from the client's side (close 4000), as a network loss would. */
  drop(): void {
    this.sockets.at(-1)?.close(4000, 'test drop');
  }
}

/** A compact-wire frame (`t`, `i`) in the long names these tests read (`type`, `callId`). */
function longForm(f: Record<string, unknown>): Record<string, unknown> {
  if (f.t === 'c') return { ...f, type: 'call', callId: String(f.i) };
  if (f.t === 'r') return { ...f, type: 'call_response', callId: String(f.i) };
  return f;
}

function wiredClient(userId: string, config: Parameters<typeof makeClient>[2] = {}) {
  const browser = browserFor(userId);
  const wire = new Wire(browser.WebSocket as unknown as typeof WebSocket);
  const made = makeClient(TestClient, userId, { callTimeoutMs: 60_000, ...config, WebSocket: wire.WebSocket }, browser);
  live.push(made.client);
  return { ...made, wire };
}

function utf8Bytes(text: string): number {
  return new TextEncoder().encode(text).byteLength;
}

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

/** A DO → client envelope: `receive(n)` from STREAM/pusher to the client `instanceName`. */
function pushEnvelope(instanceName: string, n: number) {
  return buildCallEnvelope({
    chain: serializeChain(newContinuation<TestClient>().receive(n)),
    callContext: { callChain: [{ type: 'LumenizeDO', bindingName: 'STREAM', instanceName: 'pusher' }], state: {} },
    caller: { type: 'LumenizeDO', bindingName: 'STREAM', instanceNameOrId: 'pusher' },
    callee: { bindingName: 'LUMENIZE_CLIENT_GATEWAY', instanceNameOrId: instanceName },
  });
}

describe('batching', () => {
  it('calls of one tick leave as one frame, run in order, and their answers come back as one frame in the same order', async () => {
    const { client, wire } = wiredClient('bella');
    await connected(client);
    expect(wire.frames('received')[0]).toMatchObject({ type: 'connection_status', batch: true });
    const stream = `order-${tab()}`;
    wire.reset();
    const answers = await Promise.all(range(20).map((n) => client.lmz.callRaw('STREAM', stream, client.ctn<StreamDO>().record(n))));
    expect(answers).toEqual(range(20));
    expect(await env.STREAM.getByName(stream).received()).toEqual(range(20));
    const sent = wire.carrying('sent', 'call');
    expect(sent).toHaveLength(1);
    expect(JSON.parse(sent[0]!.text)).toMatchObject({ t: 'b', s: expect.any(Number) });
    const callIds = sent[0]!.inner.map((f) => f.callId);
    const answered = wire.carrying('received', 'call_response');
    expect(answered).toHaveLength(1);
    expect(answered[0]!.inner.map((f) => f.callId)).toEqual(callIds);
  });

  it('acks ride on the next frame: while calls flow, neither side sends an ack on its own', async () => {
    const { client, wire } = wiredClient('ada');
    await connected(client);
    const stream = `acks-${tab()}`;
    wire.reset();
    // Sequential: each answer is followed, in the same task, by the next call, which carries its ack.
    for (const n of range(40)) expect(await client.lmz.callRaw('STREAM', stream, client.ctn<StreamDO>().record(n))).toBe(n);
    const isAck = (f: Record<string, unknown>) => f.t === 'a' || f.type === 'ack';
    const sent = wire.frames('sent');
    const calls = sent.filter((f) => f.t === 'c');
    expect(calls).toHaveLength(40);
    // Sent before the last call: no ack alone (after it, traffic has stopped and one may follow).
    expect(sent.slice(0, sent.indexOf(calls.at(-1)!)).filter(isAck)).toEqual([]);
    // Each call acknowledges the answer to the call before it.
    calls.forEach((f, k) => expect(f.a).toBe((calls[0]!.a as number) + k));
    const received = wire.frames('received');
    expect(received.filter(isAck)).toEqual([]);
    // Each answer acknowledges the call it answers.
    const answers = received.filter((f) => f.t === 'r');
    expect(answers.map((f) => f.ack)).toEqual(calls.map((f) => f.s));
  });

  it('DO → client calls keep their order, and the client answers each one', async () => {
    const { client, instanceName } = wiredClient('bruno');
    await connected(client);
    const gateway = env.LUMENIZE_CLIENT_GATEWAY.getByName(instanceName);
    const envelope = (n: number) => pushEnvelope(instanceName, n);
    const results = await Promise.all(range(10).map((n) => gateway.__executeOperation(envelope(n))));
    expect(results.every((r) => r.$error === undefined)).toBe(true);
    expect(client.received).toEqual(range(10));
  });

  it('the gateway answers __executeBatch: a DO’s calls of one turn to a client share one hop, in order, a malformed entry fails alone, a pending answer is parked', async () => {
    const { client, instanceName } = wiredClient('batched-push');
    await connected(client);
    // Through the mesh: one turn's calls from a DO (the batcher sends them as one __executeBatch).
    const stream = env.STREAM.getByName(`burst-${instanceName}`);
    expect(await stream.burstTo('LUMENIZE_CLIENT_GATEWAY', instanceName, 8)).toEqual(range(8));
    expect(client.received).toEqual(range(8));
    // Directly: answers in order, each on its own; a parked one is claimed exactly once.
    const gateway = env.LUMENIZE_CLIENT_GATEWAY.getByName(instanceName);
    const envelope = (n: number) => pushEnvelope(instanceName, n);
    const replies = (await gateway.__executeBatch([envelope(100), { not: 'an envelope' } as never, envelope(101)])) as Array<Record<string, unknown>>;
    expect(replies).toHaveLength(3);
    expect(replies[1]!.$error).toBeDefined();
    const answers = await Promise.all(replies.map(async (r) => (typeof r.$parked === 'string' ? ((await gateway.__awaitParked(r.$parked)) as unknown as Record<string, unknown>) : r)));
    expect(answers[0]!.$error).toBeUndefined();
    expect(answers[2]!.$error).toBeUndefined();
    expect(client.received).toEqual([...range(8), 100, 101]);
    for (const r of replies) if (typeof r.$parked === 'string') expect(((await gateway.__awaitParked(r.$parked)) as { $error?: unknown }).$error).toBeDefined();
  });

  it('one failing call in a batch fails only itself', async () => {
    const { client, wire } = wiredClient('cora');
    await connected(client);
    const target = `fail-${tab()}`;
    const echo = client.ctn<EchoDO>();
    wire.reset();
    const outcomes = await Promise.allSettled([
      client.lmz.callRaw('ECHO', target, echo.echo(1)),
      client.lmz.callRaw('ECHO', target, echo.fail('boom')),
      client.lmz.callRaw('ECHO', target, echo.echo(3)),
      client.lmz.callRaw('ECHO', target, echo.notMesh()),
      client.lmz.callRaw('NO_SUCH_BINDING', target, echo.echo(5)),
      client.lmz.callRaw('ECHO', target, echo.echo(6)),
    ]);
    expect(wire.carrying('sent', 'call')).toHaveLength(1);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message))).toEqual([
      1,
      'boom',
      3,
      "Method 'notMesh' is not mesh-callable",
      "Unknown binding 'NO_SUCH_BINDING': env has no binding with that name",
      6,
    ]);
  });

  it('a Durable Object without __executeBatch (not a LumenizeDO) gets the calls of a batch one RPC each', async () => {
    const { client, wire } = wiredClient('hugo');
    await connected(client);
    const target = `raw-${tab()}`;
    type Raw = { reply(value: unknown): unknown };
    wire.reset();
    const answers = await Promise.all(
      [7, 8].map((n) => client.lmz.callRaw('RAW_REPLY', target, client.ctn<Raw>().reply({ $result: { root: n, objects: [] } }))),
    );
    expect(wire.carrying('sent', 'call')).toHaveLength(1);
    expect(answers).toEqual([7, 8]);
  });

  it('a malformed batch entry is answered with its own error; the others in the batch run; a malformed batch leaves the socket open', async () => {
    const name = `dora.${tab()}`;
    const stream = `bad-${tab()}`;
    const sock = await openResume(name, 'LUMENIZE_CLIENT_GATEWAY', `sess-${crypto.randomUUID()}`, 0);
    expect(await sock.next()).toEqual({ type: 'connection_status', subscriptionsLost: false, resumed: false, ack: 0 });
    // This raw socket did not offer lmz.batch.1: the gateway still reads its batch frames but answers with single frames.
    const record = (n: number) => serializeChain(newContinuation<StreamDO>().record(n));
    sock.send({ type: 'batch', frames: [], seq: 1 });
    sock.send({
      type: 'batch',
      seq: 1,
      frames: [
        { type: 'call', callId: 'a', binding: 'STREAM', instance: stream, chain: record(1) },
        { type: 'call', callId: 'b', binding: 'not a binding!', instance: stream, chain: record(2) },
        { type: 'batch', frames: [] },
        { type: 'call', callId: 'c', binding: 'STREAM', instance: stream, chain: record(3) },
      ],
    });
    const answers = new Map<string, Record<string, unknown>>();
    while (answers.size < 3) {
      const m = await sock.next();
      if (m.type === 'call_response') answers.set(String(m.callId), m);
    }
    expect(answers.get('a')).toMatchObject({ success: true });
    expect(answers.get('c')).toMatchObject({ success: true });
    expect(answers.get('b')).toMatchObject({ success: false });
    expect(JSON.stringify(answers.get('b')!.error)).toContain('Invalid call: call without a valid binding');
    expect(await env.STREAM.getByName(stream).received()).toEqual([1, 3]);
    expect(sock.ws.readyState).toBe(WebSocket.OPEN);
    sock.ws.close(1000);
  });

  it('the rate limit counts calls, not frames', async () => {
    // TEST_GATEWAY_LIMITER allows 3 calls per user per minute; a fresh user starts with the full budget.
    const { client, wire } = wiredClient(`rl${crypto.randomUUID().slice(0, 8)}`, { gatewayBindingName: 'LIMITED_GATEWAY' });
    await connected(client);
    const target = `rl-${tab()}`;
    wire.reset();
    const outcomes = await Promise.allSettled(range(5).map((n) => client.lmz.callRaw('ECHO', target, client.ctn<EchoDO>().echo(n))));
    expect(wire.carrying('sent', 'call')).toHaveLength(1);
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).name))).toEqual([0, 1, 2, 'RateLimitedError', 'RateLimitedError']);
  });

  it('a cut in the middle of a batch: answers given before the cut and after the resume each arrive once; a slow call never holds back the others', async () => {
    const win = installWindowStub();
    const { client, wire } = wiredClient('emil');
    await connected(client);
    const stream = `cut-${tab()}`;
    const holdName = `cut-${tab()}`;
    const hold = env.HOLD.getByName(holdName);
    const [k1, k2] = [`k1-${tab()}`, `k2-${tab()}`];
    wire.reset();
    const settled: string[] = [];
    const track = <T>(label: string, p: Promise<T>) => p.then((v) => (settled.push(label), v));
    const records = range(5).map((n) => track(`record ${n}`, client.lmz.callRaw('STREAM', stream, client.ctn<StreamDO>().record(n))));
    const first = track('hold 1', client.lmz.callRaw('HOLD', holdName, client.ctn<HoldDO>().hold(k1)));
    const second = track('hold 2', client.lmz.callRaw('HOLD', holdName, client.ctn<HoldDO>().hold(k2)));
    expect(await Promise.all(records)).toEqual(range(5));
    await until(async () => (await hold.started(k1)) && (await hold.started(k2)), 'both holds running');
    expect(wire.carrying('sent', 'call')).toHaveLength(1);
    // The cut: the batch is half answered (records) and half running (holds).
    wire.drop();
    await until(() => client.connectionState === 'reconnecting', 'reconnecting');
    expect(await hold.release(k2)).toBe(true);
    win.dispatchEvent(new Event('online'));
    await connected(client);
    expect(await second).toBe(`released ${k2}`);
    expect(settled).not.toContain('hold 1');
    expect(await hold.release(k1)).toBe(true);
    expect(await first).toBe(`released ${k1}`);
    expect(await env.STREAM.getByName(stream).received()).toEqual(range(5));
    expect(settled.filter((s) => s.startsWith('record'))).toEqual(range(5).map((n) => `record ${n}`));
    expect(settled.slice(5)).toEqual(['hold 2', 'hold 1']);
  });

  it('a batch frame re-sent after resume is recognised by its seq and not run again', async () => {
    const name = `finn.${tab()}`;
    const stream = `dup-${tab()}`;
    const session = `sess-${crypto.randomUUID()}`;
    const record = (n: number) => serializeChain(newContinuation<StreamDO>().record(n));
    const batch = {
      type: 'batch',
      seq: 1,
      ack: 0,
      frames: [10, 11, 12].map((n) => ({ type: 'call', callId: `c${n}`, binding: 'STREAM', instance: stream, chain: record(n) })),
    };
    const first = await openResume(name, 'LUMENIZE_CLIENT_GATEWAY', session, 0);
    await first.next();
    first.send(batch);
    const seen = new Set<string>();
    while (seen.size < 3) {
      const m = await first.next();
      if (m.type === 'call_response') seen.add(String(m.callId));
    }
    first.ws.close(4000, 'cut');
    await first.closed;
    // Resume without acknowledging anything: the gateway replays its answers; the client re-sends its batch.
    const second = await openResume(name, 'LUMENIZE_CLIENT_GATEWAY', session, 0);
    expect(await second.next()).toMatchObject({ type: 'connection_status', resumed: true, ack: 1 });
    second.send(batch);
    const replayed: string[] = [];
    while (replayed.length < 3) {
      const m = await second.next();
      if (m.type === 'call_response') replayed.push(String(m.callId));
    }
    expect(replayed.sort()).toEqual(['c10', 'c11', 'c12']);
    expect(await env.STREAM.getByName(stream).received()).toEqual([10, 11, 12]);
    second.ws.close(1000);
  });

  it('an oversize batch is split, never refused whole: each direction stays under its frame limit', async () => {
    // TINY_GATEWAY sends frames of at most 1,000,000 bytes; the client sends at most MAX_FRAME_BYTES.
    const { client, wire } = wiredClient('gina', { gatewayBindingName: 'TINY_GATEWAY' });
    await connected(client);
    const target = `big-${tab()}`;
    wire.reset();
    const payloads = range(3).map((n) => String(n).repeat(400_000));
    const answers = await Promise.all(payloads.map((p) => client.lmz.callRaw('ECHO', target, client.ctn<EchoDO>().echo(p))));
    expect(answers).toEqual(payloads);
    const sent = wire.carrying('sent', 'call');
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(sent.flatMap((f) => f.inner)).toHaveLength(3);
    for (const f of sent) expect(utf8Bytes(f.text)).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    const received = wire.carrying('received', 'call_response');
    expect(received.length).toBeGreaterThanOrEqual(2);
    expect(received.flatMap((f) => f.inner)).toHaveLength(3);
    for (const f of received) expect(utf8Bytes(f.text)).toBeLessThanOrEqual(1_000_000);
  });
});
