/**
 * Acceptance items 1–11 (spec §3.2, §3.3, §3.5): plain data, tiers, primitives, special numbers,
 * BigInt, symbols, Dates, RegExps and wrappers.
 */
import { describe, expect, it } from 'vitest';
import { parse, postprocess, preprocess, stringify, StructuredCloneEncodeError } from '../src/index.ts';
import { allTiers, roundTrip, thrown } from './helpers.ts';

describe('plain data and tiers', () => {
  it('1: plain nested objects and arrays round-trip with toEqual through both tiers', () => {
    const value = { a: 1, b: 'two', c: [true, false, null, { d: [1, [2, [3]]] }], e: { f: { g: 'deep' } }, empty: {}, list: [] };
    for (const out of allTiers(value)) expect(out).toEqual(value);
  });

  it('2: stringify(v) is identical to JSON.stringify(preprocess(v)) for a rich fixture', () => {
    const shared = { s: 1 };
    const value = {
      shared,
      again: shared,
      map: new Map<unknown, unknown>([[shared, new Set([1n, NaN])]]),
      when: new Date(1700000000000),
      re: /x+/gi,
      bytes: new Uint16Array([1, 2, 65535]),
      err: new RangeError('r'),
      url: new URL('https://example.com/a?b#c'),
      headers: new Headers({ a: '1' }),
      n: -0,
      u: undefined,
    };
    expect(stringify(value)).toBe(JSON.stringify(preprocess(value)));
  });

  it('3: preprocess output survives JSON.parse(JSON.stringify(...)) and then postprocess', () => {
    const value = { m: new Map([['k', { deep: [1, 2] }]]), big: 10n, inf: -Infinity };
    const wire = JSON.parse(JSON.stringify(preprocess(value)));
    expect(postprocess(wire)).toEqual(value);
  });

  it('parse(s) behaves as postprocess(JSON.parse(s)), and neither function mutates its input', () => {
    const value = { a: [1, { b: 2 }] };
    const before = JSON.stringify(value);
    const text = stringify(value);
    expect(JSON.stringify(value)).toBe(before);
    expect(parse(text)).toEqual(postprocess(JSON.parse(text)));
  });
});

describe('primitives', () => {
  it('4: undefined at the root, as an object property (key present) and as an array element', () => {
    for (const out of allTiers(undefined)) expect(out).toBeUndefined();
    expect(typeof stringify(undefined)).toBe('string');
    for (const out of allTiers({ a: undefined, b: 1 })) {
      expect(Object.keys(out)).toEqual(['a', 'b']);
      expect(out.a).toBeUndefined();
    }
    for (const out of allTiers([1, undefined, 3])) {
      expect(out).toHaveLength(3);
      expect(1 in out).toBe(true);
      expect(out[1]).toBeUndefined();
    }
  });

  it('5: NaN, Infinity and -Infinity round-trip at the root, in objects, arrays, Maps and Sets, with no null in the text', () => {
    const specials = [NaN, Infinity, -Infinity];
    for (const n of specials) {
      expect(Object.is(roundTrip(n), n)).toBe(true);
      expect(stringify(n)).not.toContain('null');
    }
    const value = {
      obj: { nan: NaN, inf: Infinity, ninf: -Infinity },
      arr: [NaN, Infinity, -Infinity],
      map: new Map([[NaN, Infinity], [-Infinity, NaN]]),
      set: new Set(specials),
    };
    const text = stringify(value);
    expect(text).not.toContain('null');
    const out = parse(text);
    expect(out).toEqual(value);
    expect(Object.is(out.obj.nan, NaN)).toBe(true);
    expect(out.map.get(NaN)).toBe(Infinity);
    expect(out.map.get(-Infinity)).toBeNaN();
    expect([...out.set]).toEqual(specials);
  });

  it('6: -0 round-trips with Object.is(result, -0), also inside a Number wrapper', () => {
    expect(Object.is(roundTrip(-0), -0)).toBe(true);
    expect(Object.is(roundTrip(0), 0)).toBe(true);
    expect(Object.is(roundTrip({ z: -0 }).z, -0)).toBe(true);
    expect(Object.is(roundTrip([-0])[0], -0)).toBe(true);
    const wrapped = roundTrip(new Number(-0));
    expect(wrapped).toBeInstanceOf(Number);
    expect(Object.is(wrapped.valueOf(), -0)).toBe(true);
    for (const n of [NaN, Infinity, -Infinity, 42.5]) expect(Object.is(roundTrip(new Number(n)).valueOf(), n)).toBe(true);
  });

  it('7: BigInt values 0n, -1n and 2n ** 200n round-trip, also inside a BigInt wrapper', () => {
    for (const n of [0n, -1n, 2n ** 200n, -(2n ** 200n)]) {
      expect(roundTrip(n)).toBe(n);
      const wrapped = roundTrip(Object(n) as object);
      expect(typeof wrapped).toBe('object');
      expect(wrapped).toBeInstanceOf(BigInt);
      expect(wrapped.valueOf()).toBe(n);
    }
  });

  it('8: a symbol value, a symbol Map key and a symbol Set member each throw TypeError; a symbol-keyed property is dropped', () => {
    const cases: unknown[] = [Symbol('v'), { a: Symbol('v') }, new Map([[Symbol('k'), 1]]), new Set([Symbol('m')])];
    for (const value of cases) {
      const e = thrown(() => stringify(value));
      expect(e).toBeInstanceOf(TypeError);
      expect(e).toBeInstanceOf(StructuredCloneEncodeError);
      expect((e as StructuredCloneEncodeError).code).toBe('SYMBOL');
      expect(() => preprocess(value)).toThrow(TypeError);
    }
    const out = roundTrip({ [Symbol('hidden')]: 1, kept: 2 });
    expect(out).toEqual({ kept: 2 });
    expect(Object.getOwnPropertySymbols(out)).toEqual([]);
  });

  it('9: valid and invalid Dates round-trip (the invalid one stays invalid)', () => {
    const valid = new Date(Date.UTC(2024, 1, 29, 12, 34, 56, 789));
    const far = new Date(8.64e15);
    const invalid = new Date('not a date');
    const out = roundTrip({ valid, far, invalid });
    expect(out.valid).toBeInstanceOf(Date);
    expect(out.valid.getTime()).toBe(valid.getTime());
    expect(out.far.getTime()).toBe(8.64e15);
    expect(out.invalid).toBeInstanceOf(Date);
    expect(Number.isNaN(out.invalid.getTime())).toBe(true);
  });

  it('10: RegExp with flags gimsuy keeps source and flags, and lastIndex restarts at 0', () => {
    const re = /a(b)c[\]/]+\u{1F600}/gimsuy;
    re.lastIndex = 5;
    const out = roundTrip(re);
    expect(out).toBeInstanceOf(RegExp);
    expect(out.source).toBe(re.source);
    expect(out.flags).toBe('gimsuy');
    expect(out.lastIndex).toBe(0);
  });

  it('11: Boolean, Number and String wrappers arrive as wrappers with the same primitive', () => {
    const out = roundTrip([new Boolean(false), new Number(3.25), new String('s'), new Boolean(true)]);
    expect(out[0]).toBeInstanceOf(Boolean);
    expect(out[0].valueOf()).toBe(false);
    expect(out[1]).toBeInstanceOf(Number);
    expect(out[1].valueOf()).toBe(3.25);
    expect(out[2]).toBeInstanceOf(String);
    expect(out[2].valueOf()).toBe('s');
    expect(out[3].valueOf()).toBe(true);
  });

  it('Dates, RegExps and wrappers take part in identity tracking', () => {
    const re = /x/;
    const n = new Number(1);
    const out = roundTrip({ a: re, b: re, c: n, d: n });
    expect(out.a).toBe(out.b);
    expect(out.c).toBe(out.d);
  });
});
