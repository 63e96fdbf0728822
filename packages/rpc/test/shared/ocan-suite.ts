/**
 * Shared suite. Spec §9 items 14–24 and 41–44: batching, OCAN (chaining, nesting, aliasing, consumed prefixes),
 * env hops, symbols, non-functions, identity, concurrency, the auth pattern and RpcTarget. Round
 * trips and message counts are asserted exactly, on both transports where the item allows.
 */
import { describe, expect, it } from 'vitest';
import { ConsumedByPipeliningError, getLastBatchRequest, setInspectMode, type RpcBatchRequest } from '../../src/index.ts';
import { uniqueName, type ClientFactory, type Kind, type Metrics } from './factory.ts';

const KINDS: Kind[] = ['http', 'websocket'];

/** Messages (HTTP: requests) sent and received. */
function exchanges(kind: Kind, m: Metrics): { sent: number; received: number } {
  return kind === 'http' ? { sent: m.roundTrips ?? 0, received: m.roundTrips ?? 0 } : { sent: m.wsSentMessages ?? 0, received: m.wsReceivedMessages ?? 0 };
}

async function inspected<T>(fn: () => Promise<T>): Promise<[T, RpcBatchRequest]> {
  setInspectMode(true);
  try {
    const value = await fn();
    return [value, getLastBatchRequest()!];
  } finally {
    setInspectMode(false);
  }
}

/** Defines the OCAN tests (items 14–24, 41–44) for one runtime's client factory. */
export function ocanSuite(f: ClientFactory): void {
describe.each(KINDS)('OCAN over %s', (kind) => {
  const setup = (prefix: string) => {
    const metrics: Metrics = {};
    const c = f.make(kind, 'RPC_DO', uniqueName(prefix), { metrics });
    return { c, metrics };
  };

  it('item 14: three calls in one turn are one round trip (WS: 1 upgrade, 1 sent, 1 received); awaiting between calls is one each', async () => {
    const { c, metrics } = setup('rt');
    using _ = c;
    expect(await Promise.all([c.increment(), c.increment(), c.increment()])).toEqual([1, 2, 3]);
    expect(exchanges(kind, metrics)).toEqual({ sent: 1, received: 1 });
    if (kind === 'websocket') expect(metrics.wsUpgradeRequests).toBe(1);
    await c.increment();
    await c.increment();
    expect(exchanges(kind, metrics)).toEqual({ sent: 3, received: 3 });
  });

  it('item 15: a 20-entry batch is one round trip with results in order; one failing entry rejects only itself', async () => {
    const { c, metrics } = setup('b20');
    using _ = c;
    const calls = Array.from({ length: 20 }, (_v, i) => (i === 7 ? c.throwError() : c.add(i, 1)));
    const settled = await Promise.allSettled(calls as unknown as Promise<number>[]);
    expect(exchanges(kind, metrics).sent).toBe(1);
    settled.forEach((s, i) => {
      if (i === 7) expect(s.status === 'rejected' && (s.reason as Error).message).toBe('Test error');
      else expect(s).toEqual({ status: 'fulfilled', value: i + 1 });
    });
  });

  it('item 16: inspect mode shows setValue(...).uppercaseValue() as one entry of four operations', async () => {
    const { c } = setup('insp');
    using _ = c;
    const [value, batch] = await inspected(() => c.setValue('k', 'abc').uppercaseValue() as unknown as Promise<string>);
    expect(value).toBe('ABC');
    expect(batch.batch).toHaveLength(1);
    expect(batch.batch[0].operations).toEqual([
      { type: 'get', key: 'setValue' },
      { type: 'apply', args: ['k', 'abc'] },
      { type: 'get', key: 'uppercaseValue' },
      { type: 'apply', args: [] },
    ]);
  });

  it('item 17: combineValues(getValue(a), getValue(b)) is one entry with nested chains, equal to the separate result', async () => {
    const { c, metrics } = setup('nest');
    using _ = c;
    await Promise.all([c.setValue('a', 'A'), c.setValue('b', 'B')]);
    const before = exchanges(kind, metrics).sent;
    const [combined, batch] = await inspected(() => c.combineValues(c.getValue('a'), c.getValue('b')) as unknown as Promise<string>);
    expect(exchanges(kind, metrics).sent - before).toBe(1);
    expect(batch.batch).toHaveLength(1);
    const apply = batch.batch[0].operations[1] as { args: unknown[]; nested: { path: unknown[]; chain: unknown }[] };
    expect(apply.args).toEqual([null, null]);
    expect(apply.nested.map((n) => n.path)).toEqual([[0], [1]]);
    const [a, b] = await Promise.all([c.getValue('a'), c.getValue('b')]);
    expect(combined).toBe(await c.combineValues(a, b));
  });

  it('item 18: increment(increment(increment())) yields 4 with one received message', async () => {
    const { c, metrics } = setup('geo');
    using _ = c;
    expect(await c.increment(c.increment(c.increment()))).toBe(4);
    expect(exchanges(kind, metrics)).toEqual({ sent: 1, received: 1 });
  });

  it('item 19: one unawaited proxy reused in two calls travels once in full and once as an alias: 11 and 21', async () => {
    const { c } = setup('alias');
    using _ = c;
    const [results, batch] = await inspected(() => {
      const x = c.increment();
      return Promise.all([c.add(x, 10), c.add(x, 20)]);
    });
    expect(results).toEqual([11, 21]);
    expect(batch.batch).toHaveLength(2);
    const nested = batch.batch.map((e) => (e.operations[1] as { nested: { chain?: unknown; refId?: string }[] }).nested[0]);
    expect(nested[0].chain).toBeDefined();
    expect(nested[0].refId).toBeDefined();
    expect(nested[1]).toEqual({ path: [0], refId: nested[0].refId });
    expect(await c.increment()).toBe(2);
  });

  it('item 20: two independent identical calls are both executed', async () => {
    const { c } = setup('twice');
    using _ = c;
    await Promise.all([c.increment(), c.increment()]);
    expect(await c.increment(0)).toBe(2);
  });

  it('item 21: a consumed prefix awaited in the same turn resolves; one awaited after the flush rejects; nothing unhandled', async () => {
    const { c, metrics } = setup('prefix');
    using _ = c;
    const obj = c.getObject();
    const [value, nested] = await Promise.all([obj, obj.nested.getValue()]);
    expect((value as { value: number }).value).toBe(42);
    expect(nested).toBe(42);
    expect(exchanges(kind, metrics).sent).toBe(1);
    expect(await c.calls('getObject')).toBe(1);

    const late = c.getObject();
    expect(await late.nested.getValue()).toBe(42);
    // (vitest's expect().rejects would call the proxy, which is a function: await it by hand.)
    const error = await Promise.resolve(late).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ConsumedByPipeliningError);
    expect((error as Error).message).toContain('consumed by pipelining');

    // Nested use awaited in the same turn also comes back.
    const inner = c.increment();
    expect(await Promise.all([c.add(inner, 100), inner])).toEqual([101, 1]);
    const unobserved = c.increment();
    expect(await c.add(unobserved, 0)).toBe(2);
  });

  it('item 21: an awaited prefix extended by a call with nested arguments runs once, in one round trip', async () => {
    const { c, metrics } = setup('prefix-nested');
    using _ = c;
    const obj = c.getObject();
    const [value, combined] = await Promise.all([obj, obj.nested.getValue(c.increment(), c.add(1, 2))]);
    expect((value as { value: number }).value).toBe(42);
    expect(combined).toBe(42);
    expect(exchanges(kind, metrics).sent).toBe(1);
    expect(await c.calls('getObject')).toBe(1);
    expect(await c.readCount()).toBe(1);
  });

  it('item 21: an awaited prefix ending in a property read runs once, in one round trip', async () => {
    const { c, metrics } = setup('prefix-read');
    using _ = c;
    const profile = c.profile;
    const [value, nested] = await Promise.all([profile, profile.nested.value]);
    expect((value as { name: string }).name).toBe('profile');
    expect(nested).toBe(7);
    expect(exchanges(kind, metrics).sent).toBe(1);
    expect(await c.calls('profile')).toBe(1);
    // Extended by a call instead of a read: still one read.
    const again = c.profile;
    expect(await Promise.all([again, again.describe()]).then(([, d]) => d)).toBe('profile described');
    expect(await c.calls('profile')).toBe(2);
  });

  it('item 21: an awaited prefix whose consumer fails first gets the real error', async () => {
    const { c } = setup('prefix-fails');
    using _ = c;
    const api = c.authenticate('bad-token');
    const [prefix, consumer] = await Promise.allSettled([api, api.getNotifications()]);
    for (const s of [prefix, consumer]) expect(s.status === 'rejected' && (s.reason as Error).message).toBe('Invalid token');
  });

  it('item 22: env hop — two unawaited addMessage calls then getMessages is a Map of size 2 in one round trip; subclass binding too', async () => {
    const { c, metrics } = setup('hop');
    using _ = c;
    const roomName = uniqueName('room');
    const room = c.env.ROOM.getByName(roomName);
    void room.addMessage('a');
    void room.addMessage('b');
    const messages = await room.getMessages();
    expect(exchanges(kind, metrics).sent).toBe(1);
    expect(messages).toBeInstanceOf(Map);
    expect(messages.size).toBe(2);
    const sub = c.env.SUB_ROOM.getByName(roomName);
    void sub.addMessage('a');
    void sub.addMessage('b');
    const subMessages = await sub.getMessages();
    expect(subMessages).toEqual(messages);
    await expect(Promise.resolve(c.env.ROOM.getByName(roomName).failing())).rejects.toThrow('room failure');
  });

  it('item 23: symbol reads return undefined and send nothing', async () => {
    const { c, metrics } = setup('sym');
    using _ = c;
    expect((c as unknown as Record<symbol, unknown>)[Symbol.iterator]).toBeUndefined();
    expect((c.ctx as unknown as Record<symbol, unknown>)[Symbol.toPrimitive]).toBeUndefined();
    const [, batch] = await inspected(() => c.add(1, 1) as unknown as Promise<number>);
    expect(batch.batch).toHaveLength(1);
    expect(exchanges(kind, metrics).sent).toBe(1);
  });

  it('item 24: calling a non-function member or a missing one rejects with a TypeError naming the path', async () => {
    const { c } = setup('nonfn');
    using _ = c;
    const e = (await (c as unknown as { instanceVariable: () => Promise<never> }).instanceVariable().catch((x: unknown) => x)) as Error;
    expect(e.name).toBe('TypeError');
    expect(e.message).toContain('instanceVariable');
    const m = (await (c as unknown as { nope: { deeper: () => Promise<never> } }).nope.deeper().catch((x: unknown) => x)) as Error;
    expect(m.name).toBe('TypeError');
    expect(m.message).toContain('deeper');
    const local = (await c.getObject()) as unknown as { value: () => void };
    expect(() => local.value()).toThrow(TypeError);
  });

  it('item 41: Map/Set identity within one message; a client-made key does not match a server object', async () => {
    const { c } = setup('ident');
    using _ = c;
    const r = await c.mapIdentity();
    expect([...r.map.keys()][0]).toBe(r.key);
    expect([...r.set][0]).toBe(r.member);
    const key = { id: 9 };
    expect(await c.checkIdentity(new Map([[key, 1]]), key)).toBe(true);
    expect(await c.checkIdentity(new Map([[{ id: 9 }, 1]]), key)).toBe(false);
    await c.rememberKey();
    expect(await c.lookupStored({ id: 1 })).toBeUndefined();
  });

  it('item 43: authenticate(token).getNotifications() is one round trip; each later call re-authenticates; a bad token rejects', async () => {
    const { c, metrics } = setup('auth');
    using _ = c;
    expect(await c.authenticate('good-token').getNotifications()).toEqual(['n1', 'n2']);
    expect(exchanges(kind, metrics).sent).toBe(1);
    const api = await c.authenticate('good-token');
    expect(await api.getNotifications()).toEqual(['n1', 'n2']);
    expect(await c.calls('authenticate')).toBe(3);
    await expect(Promise.resolve(c.authenticate('bad').getNotifications())).rejects.toThrow('Invalid token');
  });

  it('item 44: an RpcTarget comes back by value; each method call re-derives it on the DO', async () => {
    const { c } = setup('target');
    using _ = c;
    const g = await c.getGreeter();
    expect(await g.greet()).toBe('hello rpc');
    expect(await g.greet()).toBe('hello rpc');
    expect(await c.calls('getGreeter')).toBe(3);
  });
});

describe('concurrency', () => {
  it('item 42: 50 concurrent increment() calls over HTTP return 1…50', async () => {
    using c = f.make('http', 'RPC_DO', uniqueName('fifty'));
    const values = await Promise.all(Array.from({ length: 50 }, () => c.increment()));
    expect([...values].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_v, i) => i + 1));
  });

  it('50 concurrent calls on one WebSocket client complete correctly', async () => {
    using c = f.make('websocket', 'RPC_DO', uniqueName('fifty-ws'));
    const values = await Promise.all(Array.from({ length: 50 }, (_v, i) => c.add(i, i)));
    expect(values).toEqual(Array.from({ length: 50 }, (_v, i) => 2 * i));
  });
});
}
