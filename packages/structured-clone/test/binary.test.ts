/**
 * Acceptance items 21–24 (spec §3.6): ArrayBuffer, every typed-array kind, views and DataView,
 * bit-exact, and never more bytes than a view can see.
 */
import { describe, expect, it } from 'vitest';
import { parse, preprocess, stringify } from '../src/index.ts';
import { bytesOf, roundTrip } from './helpers.ts';

function pattern(length: number, seed = 1): Uint8Array {
  const bytes = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}

/** Byte-wise equality without toEqual's per-element cost on a megabyte. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

describe('binary data', () => {
  it('21: ArrayBuffer of length 0 and of 1 MiB round-trip byte-exact', () => {
    const empty = roundTrip(new ArrayBuffer(0));
    expect(empty).toBeInstanceOf(ArrayBuffer);
    expect(empty.byteLength).toBe(0);
    const big = pattern(1024 * 1024).buffer as ArrayBuffer;
    const out = roundTrip(big);
    expect(out).toBeInstanceOf(ArrayBuffer);
    expect(out.byteLength).toBe(1024 * 1024);
    expect(sameBytes(new Uint8Array(out), new Uint8Array(big))).toBe(true);
  });

  it('22: each typed-array kind round-trips bit-exact, including Float64Array NaN payloads and -0 and negative BigInt64Array values', () => {
    const raw = pattern(48, 7);
    const kinds: Array<new (buffer: ArrayBuffer) => ArrayBufferView> = [
      Int8Array,
      Uint8Array,
      Uint8ClampedArray,
      Int16Array,
      Uint16Array,
      Int32Array,
      Uint32Array,
      Float32Array,
      Float64Array,
      BigInt64Array,
      BigUint64Array,
    ];
    const f16 = (globalThis as { Float16Array?: new (buffer: ArrayBuffer) => ArrayBufferView }).Float16Array;
    if (f16) kinds.push(f16);
    for (const Kind of kinds) {
      const view = new Kind(raw.slice().buffer as ArrayBuffer);
      const out = roundTrip(view);
      expect(out).toBeInstanceOf(Kind);
      expect(out.constructor).toBe(Kind);
      expect(bytesOf(out)).toEqual(bytesOf(view));
    }
    const floats = new Float64Array([NaN, -0, 1.5, -Infinity]);
    const nanPayload = new DataView(floats.buffer);
    nanPayload.setUint32(0, 0x7ff80000 | 0x1234); // a NaN with a non-default payload
    nanPayload.setUint32(4, 0xdeadbeef);
    const outFloats = roundTrip(floats);
    expect(bytesOf(outFloats)).toEqual(bytesOf(floats));
    expect(Object.is(outFloats[1], -0)).toBe(true);
    const big = new BigInt64Array([-1n, -(2n ** 63n), 2n ** 63n - 1n]);
    expect([...roundTrip(big)]).toEqual([-1n, -(2n ** 63n), 2n ** 63n - 1n]);
  });

  it('23: a Uint8Array viewing bytes 4 to 8 of a 4 KiB buffer serializes only its 4 bytes', () => {
    const buffer = new ArrayBuffer(4096);
    const all = new Uint8Array(buffer);
    all.fill(0xab);
    all.set([1, 2, 3, 4], 4);
    const view = new Uint8Array(buffer, 4, 4);
    const data = preprocess(view);
    const entry = data.objects[0] as [string, { type: string; data: string }];
    expect(entry).toEqual(['arraybuffer', { type: 'Uint8Array', data: 'AQIDBA==' }]);
    // The whole text: nothing of the other 4,092 bytes (0xab, "q6ur" in base64) appears.
    expect(stringify(view)).toBe('{"root":["$lmz",0],"objects":[["arraybuffer",{"type":"Uint8Array","data":"AQIDBA=="}]]}');
    const out = roundTrip(view);
    expect([...out]).toEqual([1, 2, 3, 4]);
    expect(out.byteOffset).toBe(0);
    expect(out.buffer.byteLength).toBe(4);
  });

  it('24: DataView round-trips its visible bytes with byteOffset 0', () => {
    const buffer = pattern(64, 3).buffer as ArrayBuffer;
    const view = new DataView(buffer, 10, 20);
    const out = roundTrip(view);
    expect(out).toBeInstanceOf(DataView);
    expect(out.byteOffset).toBe(0);
    expect(out.byteLength).toBe(20);
    expect(bytesOf(out)).toEqual(bytesOf(view));
  });

  it('a view keeps identity; two views over one buffer arrive over separate buffers', () => {
    const buffer = new ArrayBuffer(8);
    const a = new Uint8Array(buffer, 0, 4);
    const b = new Uint8Array(buffer, 4, 4);
    const out = parse(stringify({ a, again: a, b }));
    expect(out.again).toBe(out.a);
    expect(out.a.buffer).not.toBe(out.b.buffer);
  });

  it('binary output is base64: a 1 MiB Uint8Array costs at most 1.4 times its byte count', () => {
    const text = stringify(pattern(1024 * 1024));
    expect(text.length).toBeLessThanOrEqual(1.4 * 1024 * 1024);
  });
});

describe('large binary in tier 1', () => {
  it('stringify equals JSON.stringify(preprocess(v)) when large binary payloads sit between other entries', () => {
    const big = new Uint8Array(10_000).map((_, i) => i * 31);
    const value = { before: { a: [1, 'two'] }, big, middle: new Map([['k', new Float64Array(2000)]]), after: [new Date(3), big.buffer], tail: 'x' };
    expect(stringify(value)).toBe(JSON.stringify(preprocess(value)));
    expect(stringify(big)).toBe(JSON.stringify(preprocess(big)));
    const out = parse(stringify(value));
    expect(bytesOf(out.big)).toEqual(bytesOf(big));
    expect(out.after[1].byteLength).toBe(10_000);
  });

  it('base64 that is not canonical is rejected (whitespace, missing padding, stray bits)', () => {
    for (const data of ['AQID BA==', 'AQIDBA', 'AQIDBB==', 'AQ==AQ==', '\u00e9AAA']) {
      expect(() => parse(JSON.stringify({ root: ['$lmz', 0], objects: [['arraybuffer', { type: 'Uint8Array', data }]] }))).toThrow(TypeError);
    }
  });
});
