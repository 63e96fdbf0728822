/**
 * Acceptance items 12–20 and backlog §6.1 (spec §3.1, §3.4): Maps, Sets, aliases, cycles and
 * shared subtrees, with identity kept within one call and only within one call.
 */
import { describe, expect, it } from 'vitest';
import { parse, stringify } from '../src/index.ts';
import { allTiers, roundTrip } from './helpers.ts';

describe('Map and Set', () => {
  it('12: a Map with string, number, boolean and object keys keeps order and values', () => {
    const objectKey = { id: 7 };
    const map = new Map<unknown, unknown>([
      ['s', 1],
      [2, 'two'],
      [true, [3]],
      [objectKey, { v: 4 }],
      [null, undefined],
    ]);
    for (const out of allTiers(map)) {
      expect(out).toBeInstanceOf(Map);
      expect([...out.keys()]).toEqual(['s', 2, true, { id: 7 }, null]);
      expect([...out.values()]).toEqual([1, 'two', [3], { v: 4 }, undefined]);
      const revivedKey = [...out.keys()][3];
      expect(revivedKey).not.toBe(objectKey);
      expect(out.get(revivedKey)).toEqual({ v: 4 });
      expect(out.get({ id: 7 })).toBeUndefined(); // a look-alike misses, as with native Maps
    }
  });

  it('13: a Map that is its own key, and a key object that references the Map (cycle through Map keys)', () => {
    const selfKeyed = new Map<unknown, unknown>();
    selfKeyed.set(selfKeyed, 'me');
    const out = roundTrip(selfKeyed);
    expect(out.get(out)).toBe('me');

    const map = new Map<unknown, unknown>();
    const key = { map };
    map.set(key, 'value');
    const out2 = roundTrip(map);
    const [revivedKey] = [...out2.keys()] as Array<{ map: unknown }>;
    expect(revivedKey.map).toBe(out2);
    expect(out2.get(revivedKey)).toBe('value');

    const set = new Set<unknown>();
    const member = { set };
    set.add(member).add(set);
    const out3 = roundTrip(set);
    const [revivedMember, itself] = [...out3] as [{ set: unknown }, unknown];
    expect(revivedMember.set).toBe(out3);
    expect(itself).toBe(out3);
  });

  it('14: returning { map, key } together gives result.map.get(result.key); two separate stringify calls do not share identity', () => {
    const key = { userId: 'u1' };
    const map = new Map([[key, 'alice']]);
    const result = roundTrip({ map, key });
    expect(result.map.get(result.key)).toBe('alice');

    const mapOnly = roundTrip(map);
    const keyOnly = roundTrip(key);
    expect(mapOnly.get(keyOnly)).toBeUndefined();
    expect(keyOnly).toEqual(key);
  });

  it('15: a Set with primitives and objects; an object shared between two Sets is one object after decode', () => {
    const shared = { n: 1 };
    const a = new Set<unknown>([1, 'x', null, undefined, shared]);
    const b = new Set<unknown>([shared, { n: 2 }]);
    const out = roundTrip({ a, b });
    expect([...out.a].slice(0, 4)).toEqual([1, 'x', null, undefined]);
    const fromA = [...out.a][4];
    const fromB = [...out.b][0];
    expect(fromA).toEqual({ n: 1 });
    expect(fromA).toBe(fromB);
  });
});

describe('aliases and cycles (backlog §6.1)', () => {
  it('16: true aliases: { a: x, b: x } gives result.a === result.b', () => {
    const x = { payload: [1, 2, 3] };
    for (const out of allTiers({ a: x, b: x, list: [x, x] })) {
      expect(out.a).toBe(out.b);
      expect(out.list[0]).toBe(out.a);
      expect(out.list[1]).toBe(out.a);
    }
  });

  it('17: a deep cycle A to B to C to A is reproduced with identity', () => {
    const a: Record<string, unknown> = { name: 'A' };
    const b: Record<string, unknown> = { name: 'B' };
    const c: Record<string, unknown> = { name: 'C' };
    a.next = b;
    b.next = c;
    c.next = a;
    const out = roundTrip(a);
    expect(out.next.next.next).toBe(out);
    expect(out.next.next.name).toBe('C');
    expect(out.next).not.toBe(out);
  });

  it('18: a shared subtree reached by two paths: mutating through one path is visible through the other', () => {
    const subtree = { config: { retries: 3 }, items: [1, 2] };
    const out = roundTrip({ left: { ref: subtree }, right: [{ ref: subtree }] });
    out.left.ref.config.retries = 99;
    out.left.ref.items.push(3);
    expect(out.right[0].ref.config.retries).toBe(99);
    expect(out.right[0].ref.items).toEqual([1, 2, 3]);
  });

  it('19: a self-referencing object and a self-referencing array', () => {
    const obj: Record<string, unknown> = { a: 1 };
    obj.self = obj;
    const arr: unknown[] = [1];
    arr.push(arr);
    const out = roundTrip({ obj, arr });
    expect(out.obj.self).toBe(out.obj);
    expect(out.arr[1]).toBe(out.arr);
    expect(out.arr[0]).toBe(1);
  });

  it('20: two references to one Date arrive as one Date', () => {
    const when = new Date(5);
    const out = roundTrip({ created: when, updated: when, list: [when] });
    expect(out.created).toBe(out.updated);
    expect(out.list[0]).toBe(out.created);
    expect(out.created.getTime()).toBe(5);
  });

  it('identity holds within one call only: two stringify calls give unrelated objects', () => {
    const x = { v: 1 };
    const first = parse(stringify(x));
    const second = parse(stringify(x));
    expect(first).toEqual(second);
    expect(first).not.toBe(second);
  });
});
