/**
 * Acceptance items 55–59 (spec §5, §7): every malformed or hostile input throws before anything is
 * returned, with the package's error class, a stable code, and a message naming index and tag.
 */
import { describe, expect, it } from 'vitest';
import { parse, postprocess, preprocess, StructuredCloneDecodeError, type LmzIntermediate } from '../src/index.ts';
import { thrown } from './helpers.ts';

function decodeError(data: unknown): StructuredCloneDecodeError {
  const e = thrown(() => postprocess(data as LmzIntermediate));
  expect(e).toBeInstanceOf(TypeError);
  expect(e).toBeInstanceOf(StructuredCloneDecodeError);
  // tier 1 gives the same error for the same data
  const viaText = thrown(() => parse(JSON.stringify(data)));
  expect(viaText.message).toBe(e.message);
  return e as StructuredCloneDecodeError;
}

const table = (...objects: unknown[]) => ({ root: ['$lmz', 0], objects });

describe('decoding bad input', () => {
  it('55: parse of non-JSON text throws SyntaxError; JSON without root throws TypeError', () => {
    for (const text of ['', '{', 'not json', "{'root': 1}"]) expect(() => parse(text)).toThrow(SyntaxError);
    expect(decodeError({ objects: [] }).code).toBe('BAD_SHAPE');
    for (const shape of [null, 1, 'str', [], { root: 1 }, { root: 1, objects: {} }]) {
      expect(decodeError(shape).code).toBe('BAD_SHAPE');
    }
  });

  it('56: unknown entry tag, unknown value tag, out-of-range and negative $lmz indexes each throw TypeError', () => {
    const unknownEntry = decodeError(table(['mystery', {}]));
    expect(unknownEntry.code).toBe('UNKNOWN_TAG');
    expect(unknownEntry.message).toContain('objects[0]');
    expect(unknownEntry.message).toContain('mystery');
    expect(decodeError({ root: ['mystery'], objects: [] }).code).toBe('UNKNOWN_TAG');
    expect(decodeError(table(['array', [['weird', 1]]])).code).toBe('UNKNOWN_TAG');
    for (const ref of [1, -1, 0.5, '0', null, 2 ** 53]) {
      expect(decodeError(table(['array', [['$lmz', ref]]])).code).toBe('BAD_REFERENCE');
    }
    expect(decodeError({ root: ['$lmz', 0], objects: [] }).code).toBe('BAD_REFERENCE');
    for (const entry of [null, 'object', ['object'], ['object', {}, 3], [1, {}]]) {
      expect(decodeError(table(entry)).code).toBe('BAD_ENTRY');
    }
  });

  it('57: malformed payloads each throw and never return a partial value', () => {
    const malformed: unknown[][] = [
      ['arraybuffer', { type: 'Uint8Array', data: 'not base64!' }],
      ['arraybuffer', { type: 'Uint8Array', data: 'AAA' }],
      ['arraybuffer', { type: 'Float32Array', data: 'AAAAAAA=' }], // 5 bytes
      ['arraybuffer', { type: 'ArrayBuffer', data: 42 }],
      ['map', [['onlyKey']]],
      ['map', ['notapair']],
      ['url', { href: 'not a url' }],
      ['url', { href: 7 }],
      ['headers', [['bad header name', 'v']]],
      ['headers', [['ok']]],
      ['date', 12345],
      ['date', 'yesterday'],
      ['regexp', { source: 'a', flags: 'gg' }],
      ['regexp', { source: 'a', flags: 'q' }],
      ['regexp', { source: '(', flags: '' }],
      ['number-object', 'Infinite'],
      ['bigint-object', '12abc'],
      ['error', { name: 5, message: 'm' }],
      ['function', { name: 1 }],
      ['object', []],
      ['array', {}],
      ['set', 'x'],
    ];
    for (const entry of malformed) {
      const e = decodeError(table(['array', [1, ['$lmz', 1]]], entry));
      expect(['BAD_PAYLOAD', 'BAD_ENTRY']).toContain(e.code);
      expect(e.message).toContain('objects[1]');
    }
    const values: unknown[] = [['bigint', '1.5'], ['bigint', ' 1'], ['bigint', '0x10'], ['number', 'NaNa'], ['number'], ['undefined', 1], { plain: 'object' }];
    for (const value of values) expect(decodeError({ root: value, objects: [] }).code).toBe('BAD_VALUE');
    // The error surfaces even though the bad entry is referenced from nowhere.
    expect(decodeError({ root: 1, objects: [['date', 'bad']] }).code).toBe('BAD_PAYLOAD');
  });

  it('58: a hostile typed-array type name is rejected', () => {
    for (const type of ['Function', 'Buffer', 'SharedArrayBuffer', '__proto__', 'constructor', 'Array', 'eval']) {
      const e = decodeError(table(['arraybuffer', { type, data: '' }]));
      expect(e.code).toBe('BAD_PAYLOAD');
      expect(e.message).toContain('type');
    }
  });

  it('error messages never echo more than 100 characters of the payload', () => {
    const long = 'x'.repeat(10_000);
    for (const data of [table(['url', { href: long }]), table([long, 1]), { root: ['bigint', long], objects: [] }, table(['date', long])]) {
      const e = decodeError(data);
      expect(e.message.length).toBeLessThan(320);
      expect(e.message).not.toContain('x'.repeat(101));
    }
  });

  it('59: postprocess does not mutate its input and can be called twice yielding independent graphs', () => {
    const shared = { n: 1 };
    const data = preprocess({ a: shared, b: shared, m: new Map([[shared, [1, 2]]]), e: new Error('x', { cause: shared }) });
    const before = JSON.stringify(data);
    const first = postprocess(data);
    const second = postprocess(data);
    expect(JSON.stringify(data)).toBe(before);
    expect(first).toEqual(second);
    expect(first.a).not.toBe(second.a);
    first.a.n = 99;
    expect(second.a.n).toBe(1);
    expect(first.a).toBe(first.b);
  });

  it('the tagged forms of primitives stay valid on input', () => {
    const out = postprocess({ root: ['$lmz', 0], objects: [['array', [['null'], ['string', 's'], ['boolean', true], ['number', 5], ['number', '-0']]]] });
    expect(out.slice(0, 4)).toEqual([null, 's', true, 5]);
    expect(Object.is(out[4], -0)).toBe(true);
  });
});
