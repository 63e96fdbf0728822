/**
 * Spec §9 items 34–39 and backlog §6 items 1–3, 9: the access policy, `#private` and `_` members,
 * onBeforeCall, validators, batch atomicity and `transactional`. Over both transports.
 */
import { describe, expect, it } from 'vitest';
import { makeClient, stubOf, uniqueName, type Kind } from './helpers.ts';
import type { CounterBase } from '../nodes.ts';

const KINDS: Kind[] = ['http', 'websocket'];

async function rejection(p: unknown): Promise<Error> {
  return Promise.resolve(p).then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as Error,
  );
}

type Loose = Record<string, any>;

describe.each(KINDS)('security over %s', (kind) => {
  it("item 34: access 'methods' denies ctx, env, _helper, '#secret' and constructor; public methods work; __asObject has no ctx/env", async () => {
    using c = makeClient(kind, 'METHODS_DO', uniqueName('methods'));
    const loose = c as unknown as Loose;
    for (const [label, p] of [
      ['ctx', loose.ctx.storage.kv.get('count')],
      ['env', loose.env.ROOM.getByName('x').getMessages()],
      ['_helper', loose._helper()],
      ['#secret', loose['#secret']],
      ['constructor', loose.constructor.constructor('return 1')()],
      ['fetch', loose.fetch('https://x')],
      ['alarm', loose.alarm()],
      ['webSocketMessage', loose.webSocketMessage(null, 'x')],
      ['nested _ key', loose.getObject()._hidden],
      ['__defineGetter__', loose.getObject().__defineGetter__('x', null)],
    ] as const) {
      const e = await rejection(p);
      expect(e.message, label).toMatch(/^RPC access denied: /);
      expect(e.name, label).toBe('RpcAccessDeniedError');
    }
    expect(await c.increment()).toBe(1);
    expect(await c.usesHelper()).toBe('public via underscore helper');
    const o = (await c.__asObject!()) as Loose;
    expect(o.increment).toBe('increment [Function]');
    expect(o.ctx).toBeUndefined();
    expect(o.env).toBeUndefined();
    expect(o._helper).toBeUndefined();
    // A nested chain is checked like an entry point.
    expect((await rejection(c.add(loose.ctx.storage.kv.get('count'), 1))).message).toMatch(/^RPC access denied: ctx/);
    expect(await stubOf('METHODS_DO', 'none').calls('x')).toBe(0);
  });

  it("item 35 / backlog 1: #private members are unreachable in every mode; public getters and methods using them work", async () => {
    for (const binding of ['METHODS_DO', 'RPC_DO']) {
      using c = makeClient(kind, binding, uniqueName('private'));
      const loose = c as unknown as Loose;
      expect(await c.secretLength).toBe(10);
      expect(await c.revealSecret()).toBe('top secret');
      if (binding === 'RPC_DO') {
        expect(await loose['#secret']).toBeUndefined();
        expect((await rejection(loose['#helperUsingPrivate']())).name).toBe('TypeError');
      } else {
        expect((await rejection(loose['#secret'])).message).toBe('RPC access denied: #secret');
        expect((await rejection(loose['#helperUsingPrivate']())).message).toBe('RPC access denied: #helperUsingPrivate');
      }
    }
  });

  it('item 37: onBeforeCall throwing for one method rejects only that entry', async () => {
    using c = makeClient(kind, 'GUARD_DO', uniqueName('guard'));
    const [a, b] = await Promise.allSettled([c.throwError(), c.add(1, 2)] as unknown as Promise<number>[]);
    expect(a.status === 'rejected' && (a.reason as Error).message).toBe('refused by onBeforeCall');
    expect(b).toEqual({ status: 'fulfilled', value: 3 });
  });

  it('backlog 9: validators check the resolved arguments of their method and reject only that entry', async () => {
    using c = makeClient(kind, 'GUARD_DO', uniqueName('valid'));
    const loose = c as unknown as Loose;
    const e = await rejection(loose.add('x', 1));
    expect(e.name).toBe('TypeError');
    expect(e.message).toBe('add expects two numbers');
    expect(await c.add(c.increment(), 1)).toBe(2);
    expect((await rejection(loose.add(loose.getValue('missing'), 1))).message).toBe('add expects two numbers');
    // schemaValidators adapts a Check(schema, value) function.
    expect(await c.withDefault(1, 2)).toBe(3);
    const bad = await rejection(loose.withDefault(1, 'two'));
    expect([bad.name, bad.message]).toEqual(['RpcArgumentError', 'withDefault: argument 1 does not match its schema']);
    expect((await rejection(loose.withDefault(1, 2, 3))).message).toBe('withDefault: expected at most 2 arguments, got 3');
  });

  it('item 38 / backlog 3: a concurrent reader never observes a batch’s intermediate state', async () => {
    const name = uniqueName('atomic');
    using a = makeClient(kind, 'RPC_DO', name);
    using b = makeClient(kind === 'http' ? 'websocket' : 'http', 'RPC_DO', name);
    const seen: number[] = [];
    await Promise.all([
      (async () => {
        for (let i = 0; i < 25; i++) await Promise.all([a.setFlag(1), a.setFlag(0)]);
      })(),
      (async () => {
        for (let i = 0; i < 100; i++) seen.push(await b.readFlag());
      })(),
    ]);
    expect(seen).toHaveLength(100);
    expect(seen.every((v) => v === 0)).toBe(true);
  });

  it('item 39: transactional — a failing entry rolls back the batch; an async entry fails every entry', async () => {
    const name = uniqueName('tx');
    using c = makeClient(kind, 'TX_DO', name);
    expect(await c.increment()).toBe(1);
    const [first, second] = await Promise.allSettled([c.increment(), c.failAfterWrite()] as unknown as Promise<number>[]);
    expect(first.status).toBe('rejected');
    expect(second.status === 'rejected' && (second.reason as Error).message).toBe('failed after write');
    expect(await stubOf('TX_DO', name).readCount()).toBe(1);
    const settled = await Promise.allSettled([c.increment(), c.asyncIncrement()] as unknown as Promise<number>[]);
    for (const s of settled) expect(s.status === 'rejected' && (s.reason as Error).message).toBe('transactional RPC batches must be synchronous');
    expect(await stubOf('TX_DO', name).readCount()).toBe(1);
    expect(await c.increment()).toBe(2);
  });
});

export type { CounterBase };
