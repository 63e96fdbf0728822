/** mesh.md §12 "OCAN" (items 24–29) and §4.7 rules, against real DOs and the OCAN core. */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import {
  chainBudget,
  decodeOperationChain,
  executeOperationChain,
  executeOperationChainSync,
  getOperationChain,
  isNestedOperationMarker,
  newContinuation,
  replaceNestedOperationMarkers,
  SynchronousExecutionError,
  validateOperationChain,
  type OperationChain,
} from '../../src/index.ts';
import type { CoreDO } from './nodes.ts';
import { meshCall } from './helpers.ts';

const local = { requireMeshDecorator: false } as const;

/** `method(<nested chain>)` with the nested chain placed at `path` of the arguments (its wire form decoded). */
function nestedCall(method: string, args: unknown[], path: (string | number)[], chain: OperationChain, budget = chainBudget()): OperationChain {
  return decodeOperationChain([{ type: 'get', key: method }, { type: 'apply', args, nested: [{ path, chain }] }], budget);
}

describe('OCAN', () => {
  it('24: ctn<T>().setValue(100).getValue() returns 100 in one round trip', async () => {
    class Box {
      v = 0;
      setValue(v: number) {
        this.v = v;
        return this;
      }
      getValue() {
        return this.v;
      }
    }
    const c = newContinuation<Box>().setValue(100).getValue();
    expect(getOperationChain(c)).toEqual([
      { type: 'get', key: 'setValue' },
      { type: 'apply', args: [100] },
      { type: 'get', key: 'getValue' },
      { type: 'apply', args: [] },
    ]);
    expect(await executeOperationChain(getOperationChain(c)!, new Box(), local)).toBe(100);
    // Over the mesh: setValue returns the value, which is chained on in the same round trip.
    const remote = newContinuation<CoreDO>().setValue({ n: 100 });
    expect(await meshCall('CORE_DO', 'ocan-24', remote)).toEqual({ n: 100 });
    expect(await meshCall('CORE_DO', 'ocan-24', newContinuation<CoreDO>().getValue())).toEqual({ n: 100 });
  });

  it('25: nested add(add(1, 10), add(100, 1000)) returns 1111; deeper nesting resolves inner-first', async () => {
    const c = newContinuation<CoreDO>();
    expect(await meshCall('CORE_DO', 'ocan-25', c.add(c.add(1, 10), c.add(100, 1000)))).toBe(1111);
    const deep = c.add(c.add(c.add(1, c.add(2, 3)), 4), c.add(c.add(5, 6), 7));
    expect(await meshCall('CORE_DO', 'ocan-25', deep)).toBe(28);
    // Inner-first order, observed locally.
    const order: number[] = [];
    const target = {
      tag(n: number, ..._rest: unknown[]) {
        order.push(n);
        return n;
      },
    };
    const t = newContinuation<typeof target>();
    await executeOperationChain(getOperationChain(t.tag(1, t.tag(2, t.tag(3)), t.tag(4)))!, target, local);
    expect(order).toEqual([3, 2, 4, 1]);
    // Markers inside arrays and plain objects are resolved too.
    expect(await meshCall('CORE_DO', 'ocan-25', c.echo({ list: [c.add(1, 1)], obj: { sum: c.add(2, 2) } }))).toEqual({ list: [2], obj: { sum: 4 } });
  });

  it('26: 51 operations and 101 arguments are rejected; custom limits are honoured', async () => {
    const long: OperationChain = Array.from({ length: 51 }, () => ({ type: 'get' as const, key: 'a' }));
    expect(() => validateOperationChain(long)).toThrow('Operation chain too deep: 51 > 50');
    const manyArgs: OperationChain = [{ type: 'get', key: 'add' }, { type: 'apply', args: Array.from({ length: 101 }, (_, i) => i) }];
    expect(() => validateOperationChain(manyArgs)).toThrow('Too many arguments: 101 > 100');
    expect(() => validateOperationChain(long.slice(0, 11), { maxDepth: 10, requireMeshDecorator: false })).toThrow('Operation chain too deep: 11 > 10');
    expect(() => validateOperationChain(long.slice(0, 10), { maxDepth: 10, requireMeshDecorator: false })).not.toThrow();
    expect(() => validateOperationChain([{ type: 'get', key: 'f' }, { type: 'apply', args: [1, 2, 3] }], { maxArgs: 2 })).toThrow('Too many arguments: 3 > 2');
    expect(() => validateOperationChain('nope')).toThrow('Invalid operation chain: operations must be an array');
    // Nested chains obey the same limits.
    expect(() => nestedCall('echo', [null], [0], long)).toThrow('Operation chain too deep: 51 > 50');
    const nested = nestedCall('echo', [null], [0], long, chainBudget({ maxDepth: 60 }));
    expect(() => validateOperationChain(nested)).toThrow('Operation chain too deep: 51 > 50');
    // Inbound over the mesh: rejected, nothing stored.
    await expect(meshCall('CORE_DO', 'ocan-26', [...long, { type: 'apply', args: [] }])).rejects.toThrow('Operation chain too deep: 52 > 50');
    await expect(meshCall('CORE_DO', 'ocan-26', manyArgs)).rejects.toThrow('Too many arguments: 101 > 100');
    await expect(meshCall('CORE_DO', 'ocan-26', 'not a chain')).rejects.toThrow('Invalid operation chain: operations must be an array');
    await expect(meshCall('CORE_DO', 'ocan-26', [{ type: 'call', key: 'x' }])).rejects.toThrow("operation 0 has unknown type 'call'");
    await runInDurableObject(env.CORE_DO.getByName('ocan-26'), (_i, state) => {
      expect([...state.storage.kv.list()].filter(([k]) => !k.startsWith('__lmz_do_'))).toEqual([]);
    });
  });

  it('27: non-functions fail with "is not a function"; arguments keep identity; circular arguments work', async () => {
    const target = { notFn: 5, keep: (x: unknown) => x, wrap: (x: unknown) => ({ x }) };
    const t = newContinuation<typeof target>();
    await expect(executeOperationChain([{ type: 'get', key: 'notFn' }, { type: 'apply', args: [] }], target, local)).rejects.toThrow('is not a function');
    const obj = { a: 1 };
    const arr = [obj];
    expect(await executeOperationChain(getOperationChain(t.keep(obj))!, target, local)).toBe(obj);
    expect(await executeOperationChain(getOperationChain(t.keep(arr))!, target, local)).toBe(arr);
    const map = new Map([[obj, 'value']]);
    const got = (await executeOperationChain(getOperationChain(t.keep(map))!, target, local)) as Map<object, string>;
    expect(got.get(obj)).toBe('value');
    const circular: Record<string, unknown> = { name: 'loop' };
    circular.self = circular;
    expect(await executeOperationChain(getOperationChain(t.keep(circular))!, target, local)).toBe(circular);
    // A circular argument that also holds a nested continuation.
    const withMarker: Record<string, unknown> = { inner: t.wrap(1) };
    withMarker.self = withMarker;
    const resolved = (await executeOperationChain(getOperationChain(t.keep(withMarker))!, target, local)) as Record<string, unknown>;
    expect(resolved.inner).toEqual({ x: 1 });
    expect(resolved.self).toBe(resolved);
    // Circular arguments over the mesh.
    const back = (await meshCall('CORE_DO', 'ocan-27', newContinuation<CoreDO>().echo(circular))) as Record<string, unknown>;
    expect(back.self).toBe(back);
  });

  it('28: chains containing constructor, __proto__ or prototype are rejected inbound', async () => {
    for (const key of ['constructor', '__proto__', 'prototype']) {
      const chain: OperationChain = [{ type: 'get', key: 'echo' }, { type: 'get', key }, { type: 'apply', args: [] }];
      expect(() => validateOperationChain(chain)).toThrow(`Operation chain uses blocked key '${key}'`);
      await expect(meshCall('CORE_DO', 'ocan-28', chain)).rejects.toThrow(`blocked key '${key}'`);
      const nested = nestedCall('echo', [{ deep: null }], [0, 'deep'], chain);
      await expect(meshCall('CORE_DO', 'ocan-28', nested)).rejects.toThrow(`blocked key '${key}'`);
    }
    // The classic escape route to the Function constructor.
    const escape = newContinuation<{ echo(x: unknown): { constructor: { constructor(code: string): () => unknown } } }>().echo(1).constructor.constructor('return 1');
    await expect(meshCall('CORE_DO', 'ocan-28', escape)).rejects.toThrow("blocked key 'constructor'");
  });

  it('29: getOperationChain → KV → executeOperationChain keeps Dates, Maps and cycles', async () => {
    await runInDurableObject(env.CORE_DO.getByName('ocan-29'), async (instance: CoreDO, state) => {
      const when = new Date('2026-01-02T03:04:05Z');
      const cyc: Record<string, unknown> = { when, tags: new Map([['a', new Set([1, 2])]]) };
      cyc.self = cyc;
      state.storage.kv.put('job', getOperationChain(instance.ctn().store('ran', cyc)));
      const stored = state.storage.kv.get<OperationChain>('job')!;
      await executeOperationChain(stored, instance, local);
      const ran = state.storage.kv.get<Record<string, unknown>>('ran')!;
      expect(ran.when).toEqual(when);
      expect((ran.tags as Map<string, Set<number>>).get('a')).toEqual(new Set([1, 2]));
      expect(ran.self).toBe(ran);
    });
  });

  it('markers, placeholders and synchronous execution behave as specified', async () => {
    // Only the recorder and the decoder make markers: a look-alike object is data.
    expect(isNestedOperationMarker({ __isNestedOperation: true })).toBe(false);
    expect(isNestedOperationMarker({ __isNestedOperation: true, __operationChain: [] })).toBe(false);
    expect(isNestedOperationMarker({})).toBe(false);
    const t = newContinuation<{ h(a: unknown, b: unknown, c?: unknown): unknown }>();
    expect(isNestedOperationMarker((getOperationChain(t.h(t.h(1, 2), 3))!.at(-1) as { args: unknown[] }).args[0])).toBe(true);
    const withPlaceholder = getOperationChain(t.h('x', t.$result, 'z'))!;
    expect(replaceNestedOperationMarkers(withPlaceholder, 7).at(-1)).toEqual({ type: 'apply', args: ['x', 7, 'z'] });
    const without = getOperationChain(t.h('x', 'y'))!;
    expect(replaceNestedOperationMarkers(without, 7).at(-1)).toEqual({ type: 'apply', args: ['x', 'y', 7] });
    const target = { sync: () => 1, async: async () => 2 };
    expect(executeOperationChainSync([{ type: 'get', key: 'sync' }, { type: 'apply', args: [] }], target, local)).toBe(1);
    expect(() => executeOperationChainSync([{ type: 'get', key: 'async' }, { type: 'apply', args: [] }], target, local)).toThrow(SynchronousExecutionError);
    // A continuation is not thenable: awaiting one by mistake does not hang.
    expect(await (newContinuation<object>() as unknown as Promise<unknown>)).toBeTypeOf('function');
  });
});
