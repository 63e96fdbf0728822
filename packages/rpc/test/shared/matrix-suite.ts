/**
 * Shared suite. Spec §9 ★ items 1–13 over the matrix {HTTP, WebSocket} × {lumenizeRpcDO, manual routing, subclass}.
 * Every WebSocket client here uses an https:// base URL through the utils shim, which throws on
 * http(s) URLs (item 40 / backlog §6 item 5).
 */
import { describe, expect, it } from 'vitest';
import { MATRIX, uniqueName, type ClientFactory } from './factory.ts';
import { getLastBatchRequest, setInspectMode } from '../../src/index.ts';

/** Defines the ★ matrix tests for one runtime's client factory. */
export function matrixSuite(f: ClientFactory): void {
describe.each(MATRIX)('$label', ({ kind, binding }) => {
  const client = (prefix: string) => f.make(kind, binding, uniqueName(prefix));

  it('item 1: increment returns 1 then 2', async () => {
    using c = client('inc');
    expect(await c.increment()).toBe(1);
    expect(await c.increment()).toBe(2);
  });

  it('item 2: add(5, 3) is 8; an omitted default parameter uses its default', async () => {
    using c = client('add');
    expect(await c.add(5, 3)).toBe(8);
    expect(await c.withDefault(5)).toBe(15);
  });

  it('item 3: an instance variable is read with await', async () => {
    using c = client('field');
    expect(await c.instanceVariable).toBe('instance value');
  });

  it('item 4: unawaited kv.put then awaited kv.get go in one batch', async () => {
    using c = client('kv');
    setInspectMode(true);
    try {
      void c.ctx.storage.kv.put('k', 'v');
      expect(await c.ctx.storage.kv.get('k')).toBe('v');
      const batch = getLastBatchRequest()!;
      expect(batch.batch).toHaveLength(2);
      expect(batch.batch.map((e) => e.operations.map((o) => (o.type === 'get' ? o.key : '()')).join('.'))).toEqual(['ctx.storage.kv.put.()', 'ctx.storage.kv.get.()']);
    } finally {
      setInspectMode(false);
    }
  });

  const cyclic: Record<string, unknown> = { name: 'loop' };
  cyclic.self = cyclic;
  const values = (): [string, unknown, (v: unknown) => void][] => [
    ['Map with numeric and nested keys', new Map<unknown, unknown>([[1, 'one'], [{ k: 1 }, new Map([['inner', 2]])]]), (v) => {
      const m = v as Map<unknown, unknown>;
      expect(m.get(1)).toBe('one');
      const [, nested] = [...m.entries()][1];
      expect((nested as Map<string, number>).get('inner')).toBe(2);
    }],
    ['Set', new Set([1, 'a']), (v) => expect([...(v as Set<unknown>)]).toEqual([1, 'a'])],
    ['Date', new Date('2026-01-02T03:04:05.678Z'), (v) => expect((v as Date).toISOString()).toBe('2026-01-02T03:04:05.678Z')],
    ['RegExp with flags', /a+b/gi, (v) => expect([(v as RegExp).source, (v as RegExp).flags]).toEqual(['a+b', 'gi'])],
    ['BigInt ±', [2n ** 70n, -(2n ** 70n)], (v) => expect(v).toEqual([2n ** 70n, -(2n ** 70n)])],
    ['NaN, ±Infinity, -0', [NaN, Infinity, -Infinity, -0], (v) => {
      const a = v as number[];
      expect(Number.isNaN(a[0])).toBe(true);
      expect(a.slice(1, 3)).toEqual([Infinity, -Infinity]);
      expect(Object.is(a[3], -0)).toBe(true);
    }],
    ['ArrayBuffer bytes', new Uint8Array([1, 2, 255]).buffer, (v) => expect([...new Uint8Array(v as ArrayBuffer)]).toEqual([1, 2, 255])],
    ['Uint8Array', new Uint8Array([9, 8, 7]), (v) => expect(v).toEqual(new Uint8Array([9, 8, 7]))],
    ['Headers (iteration lowercased)', new Headers({ 'X-One': '1', Accept: 'text/plain' }), (v) => expect([...(v as Headers)]).toEqual([['accept', 'text/plain'], ['x-one', '1']])],
    ['URL', new URL('https://u:p@example.com:8443/a/b?q=1#h'), (v) => {
      const u = v as URL;
      expect([u.protocol, u.username, u.password, u.hostname, u.port, u.pathname, u.search, u.hash]).toEqual(['https:', 'u', 'p', 'example.com', '8443', '/a/b', '?q=1', '#h']);
    }],
    ['cyclic object', cyclic, (v) => expect((v as { self: unknown }).self).toBe(v)],
  ];

  it('item 5: rich values round-trip through echo', async () => {
    using c = client('echo');
    for (const [label, value, check] of values()) {
      const back = await c.echo(value);
      try {
        check(back);
      } catch (error) {
        throw new Error(`${label}: ${(error as Error).message}`);
      }
    }
  });

  it('item 6: the same values survive DO storage (put then get)', async () => {
    using c = client('store');
    for (const [label, value, check] of values()) {
      if (label === 'Headers (iteration lowercased)' || label === 'URL') continue; // not storable by the platform's structured clone
      const back = await c.storeAndLoad(value);
      try {
        check(back);
      } catch (error) {
        throw new Error(`${label}: ${(error as Error).message}`);
      }
    }
  });

  it('item 7: thrown errors keep message, name, custom fields and the remote stack', async () => {
    using c = client('err');
    await expect(Promise.resolve(c.throwError())).rejects.toThrow('Test error');
    const e = (await (c.throwValidation() as unknown as Promise<never>).catch((x: unknown) => x)) as Error & { field?: string };
    expect(e.name).toBe('ValidationError');
    expect(e.message).toBe('bad email');
    expect(e.field).toBe('email');
    expect(e.stack).toContain('throwValidation');
  });

  it('item 8: a thrown string rejects with that string', async () => {
    using c = client('str');
    await expect(Promise.resolve(c.throwString())).rejects.toBe('a thrown string');
  });

  it('item 9: nested functions in a returned object stay callable', async () => {
    using c = client('obj');
    const result = await c.getObject();
    expect(result.value).toBe(42);
    expect(await result.nested.getValue()).toBe(42);
  });

  it('item 10: an array mixing values, a function and an object with a function keeps shape', async () => {
    using c = client('arr');
    const arr = (await c.getArray()) as unknown as [number, string, () => Promise<string>, { four: number; five: () => Promise<number> }];
    expect(arr[0]).toBe(1);
    expect(arr[1]).toBe('two');
    expect(await arr[2]()).toBe('three');
    expect(arr[3].four).toBe(4);
    expect(await arr[3].five()).toBe(5);
  });

  it('item 11: a class instance exposes getter values and callable prototype methods', async () => {
    using c = client('cls');
    const p = await c.getPoint();
    expect(p.x).toBe(3);
    expect(p.sum).toBe(7);
    expect(await p.scaled(2)).toEqual([6, 8]);
  });

  it('item 12: __asObject shows methods, ctx.storage functions, databaseSize and env bindings', async () => {
    using c = client('asobj');
    const o = (await c.__asObject!()) as Record<string, any>;
    expect(o.increment).toBe('increment [Function]');
    expect(o.ctx.storage.get).toBe('get [Function]');
    expect(typeof o.ctx.storage.sql.databaseSize).toBe('number');
    expect(o.env.ROOM.getByName).toBe('getByName [Function]');
  });

  it('item 13: an async method with a 50 ms delay resolves with its value', async () => {
    using c = client('slow');
    expect(await c.slow(50)).toBe('waited 50');
  });
});
}
