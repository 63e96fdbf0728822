/**
 * The living comparison with Cap'n Web 0.12 (spec §9 item 45, backlog §6 item 7): the same calls made
 * through both libraries against DOs with the same methods, counted by the same WebSocket shim.
 * Round trips (received messages) are equal in every scenario; ours sends one message per batch and
 * no more bytes; type support, error fidelity and RpcTarget semantics are shown side by side.
 */
import { describe, expect, it } from 'vitest';
import { newWebSocketRpcSession, type RpcStub } from 'capnweb';
import type { Metrics } from '@lumenize/utils';
import { makeClient, shim, uniqueName } from './helpers.ts';

interface Api {
  increment(by?: number): number;
  add(a: number, b: number): number;
  echo<T>(value: T): T;
  throwValidation(): never;
  getGreeter(): { greet(): string };
  calls(name: string): number;
}

async function capn(name: string, metrics: Metrics): Promise<{ api: RpcStub<Api>; close(): void }> {
  const WS = shim(metrics);
  const ws = new WS(`wss://rpc.test/capn/${name}`);
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve());
    ws.addEventListener('error', () => reject(new Error("Cap'n Web socket failed")));
  });
  const api = newWebSocketRpcSession<Api>(ws as unknown as WebSocket);
  return { api, close: () => api[Symbol.dispose]() };
}

function ours(name: string, metrics: Metrics) {
  return makeClient<Api>('websocket', 'RPC_DO', name, { metrics });
}

const delta = (m: Metrics, before: Metrics) => ({
  sent: (m.wsSentMessages ?? 0) - (before.wsSentMessages ?? 0),
  received: (m.wsReceivedMessages ?? 0) - (before.wsReceivedMessages ?? 0),
  sentBytes: (m.wsSentPayloadBytes ?? 0) - (before.wsSentPayloadBytes ?? 0),
  receivedBytes: (m.wsReceivedPayloadBytes ?? 0) - (before.wsReceivedPayloadBytes ?? 0),
});

/** Runs `scenario` once warm on each library and returns the message/byte deltas of the second run. */
async function measure(scenario: { ours: (c: ReturnType<typeof ours>) => Promise<unknown>; capn: (a: RpcStub<Api>) => Promise<unknown> }) {
  const mo: Metrics = {};
  const mc: Metrics = {};
  const c = ours(uniqueName('cmp'), mo);
  const k = await capn(uniqueName('cmp'), mc);
  try {
    await scenario.ours(c);
    await scenario.capn(k.api);
    const bo = { ...mo };
    const bc = { ...mc };
    const vo = await scenario.ours(c);
    const vc = await scenario.capn(k.api);
    return { ours: delta(mo, bo), capn: delta(mc, bc), vo, vc, upgrades: [mo.wsUpgradeRequests, mc.wsUpgradeRequests] };
  } finally {
    c[Symbol.dispose]();
    k.close();
  }
}

const TEN_KB = 'x'.repeat(10 * 1024);

describe("comparison with Cap'n Web", () => {
  it('1 call: one round trip each; ours sends one message and fewer bytes', async () => {
    const r = await measure({ ours: (c) => Promise.resolve(c.increment()), capn: (a) => Promise.resolve(a.increment()) });
    expect(r.ours.received).toBe(1);
    expect(r.capn.received).toBe(1);
    expect(r.ours.sent).toBe(1);
    expect(r.capn.sent).toBeGreaterThanOrEqual(2);
    expect(r.ours.sentBytes + r.ours.receivedBytes).toBeLessThanOrEqual(r.capn.sentBytes + r.capn.receivedBytes);
    expect(r.upgrades).toEqual([1, 1]);
  });

  it('3 batched calls: one round trip each; ours 1 sent message', async () => {
    const r = await measure({
      ours: (c) => Promise.all([c.increment(), c.increment(), c.increment()]),
      capn: (a) => Promise.all([a.increment(), a.increment(), a.increment()]),
    });
    expect(r.ours.received).toBe(1);
    expect(r.ours.sent).toBe(1);
    // Cap'n Web answers each pulled call with its own resolve message, all in the same round trip.
    expect(r.capn.received).toBe(3);
    expect(r.ours.sentBytes + r.ours.receivedBytes).toBeLessThanOrEqual(r.capn.sentBytes + r.capn.receivedBytes);
  });

  it('3-step pipelining add(add(increment(), 1), 2): one received message each', async () => {
    const r = await measure({
      ours: (c) => Promise.resolve(c.add(c.add(c.increment(), 1), 2)),
      capn: async (a) => {
        using x = a.increment();
        using y = a.add(x, 1);
        return await a.add(y, 2);
      },
    });
    expect(r.ours.received).toBe(1);
    expect(r.capn.received).toBe(1);
    expect(r.ours.sent).toBe(1);
    expect(r.ours.sentBytes + r.ours.receivedBytes).toBeLessThanOrEqual(r.capn.sentBytes + r.capn.receivedBytes);
    expect(r.vo).toBe(r.vc);
  });

  it('10 KiB echo: one round trip each; ours no more bytes', async () => {
    const r = await measure({ ours: (c) => Promise.resolve(c.echo(TEN_KB)), capn: (a) => Promise.resolve(a.echo(TEN_KB)) });
    expect(r.ours.received).toBe(1);
    expect(r.capn.received).toBe(1);
    expect(r.ours.sentBytes + r.ours.receivedBytes).toBeLessThanOrEqual(r.capn.sentBytes + r.capn.receivedBytes);
    expect(r.vo).toBe(TEN_KB);
  });

  it('type support: both keep Date, BigInt, nested objects; ours also Uint8Array, Map, Set, RegExp, cycles, -0', async () => {
    const mo: Metrics = {};
    using c = ours(uniqueName('types'), mo);
    const k = await capn(uniqueName('types'), {});
    try {
      const common = { when: new Date(0), big: 2n ** 70n, bytes: new Uint8Array([1, 2]), nested: { a: [1, 'x'] } };
      expect(await c.echo(common)).toEqual(common);
      const back = (await k.api.echo(common)) as typeof common;
      expect([back.when, back.big, back.nested]).toEqual([common.when, common.big, common.nested]);
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      const rich = [new Map([[1, 'a']]), new Set(['s']), /r/g, -0];
      expect(await c.echo(rich)).toEqual(rich);
      expect(((await c.echo(cyclic)) as { self: unknown }).self).toBeDefined();
      let capnRich: unknown;
      try {
        capnRich = await k.api.echo(rich);
      } catch (error) {
        capnRich = error;
      }
      expect((capnRich as Error).message).toBe('Cannot serialize value: [object Map]'); // Cap'n Web 0.12 refuses Map
    } finally {
      k.close();
    }
  });

  it('error fidelity: both keep the message; ours also name, custom fields and the remote stack', async () => {
    using c = ours(uniqueName('err'), {});
    const k = await capn(uniqueName('err'), {});
    try {
      const eo = (await Promise.resolve(c.throwValidation()).catch((e: unknown) => e)) as Error & { field?: string };
      const ec = (await Promise.resolve(k.api.throwValidation()).catch((e: unknown) => e)) as Error & { field?: string };
      expect([eo.name, eo.message, eo.field]).toEqual(['ValidationError', 'bad email', 'email']);
      expect(eo.stack).toContain('throwValidation');
      expect(ec.message).toBe('bad email');
    } finally {
      k.close();
    }
  });

  it('RpcTarget: ours returns it by value (each call re-derives it); Cap\'n Web passes it by reference', async () => {
    const name = uniqueName('target');
    using c = makeClient('websocket', 'RPC_DO', name);
    const g = await c.getGreeter();
    expect(await g.greet()).toBe('hello rpc');
    expect(await g.greet()).toBe('hello rpc');
    expect(await c.calls('getGreeter')).toBe(3);
    const k = await capn(uniqueName('target'), {});
    try {
      using cg = await k.api.getGreeter();
      expect(await cg.greet()).toBe('hello rpc');
      expect(await cg.greet()).toBe('hello rpc');
      expect(await k.api.calls('getGreeter')).toBe(1);
    } finally {
      k.close();
    }
  });

  it('ctx/env access, env hop and callbacks (ours): ctx/env reachable under access full, a DO→DO hop in one round trip per batch, callbacks refused before sending (Cap\'n Web exposes only its RpcTarget and passes functions by reference)', async () => {
    const mo: Metrics = {};
    using c = makeClient('websocket', 'RPC_DO', uniqueName('reach'), { metrics: mo });
    void c.ctx.storage.kv.put('k', 'v');
    expect(await c.ctx.storage.kv.get('k')).toBe('v');
    const room = c.env.ROOM.getByName(uniqueName('room'));
    void room.addMessage('hi');
    expect((await room.getMessages()).size).toBe(1);
    expect(mo.wsReceivedMessages).toBe(2);
    const refused = await Promise.resolve((c as unknown as { echo(v: unknown): unknown }).echo(() => 1)).catch((e: unknown) => e as Error);
    expect((refused as Error).name).toBe('UnsupportedArgumentError');
  });
});
