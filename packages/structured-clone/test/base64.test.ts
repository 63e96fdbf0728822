/**
 * The base64 fallback (runtimes with neither Uint8Array.toBase64 nor Node's Buffer, e.g. older
 * browsers) gives the same text as the platform's codec, and with the re-encoding check refuses
 * the same non-canonical input. Run everywhere, so each runtime's native codec is the reference.
 */
import { describe, expect, it } from 'vitest';
import { atobBytes, base64ToBytes, btoaBytes, bytesToBase64 } from '../src/base64.ts';

function pattern(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let x = length + 7;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}

describe('base64 fallback', () => {
  it('encodes every length (padding 0, 1 and 2), a view window and more than one chunk exactly as the native codec', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 255, 256, 8191, 8192, 8193, 20_000]) {
      const bytes = pattern(n);
      expect(btoaBytes(bytes)).toBe(bytesToBase64(bytes));
      expect(Array.from(atobBytes(btoaBytes(bytes))!)).toEqual(Array.from(bytes));
    }
    const window = pattern(64).subarray(3, 40);
    expect(btoaBytes(window)).toBe(bytesToBase64(window));
  });

  it('decodes every byte value', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(Array.from(atobBytes(bytesToBase64(all))!)).toEqual(Array.from(all));
  });

  it('refuses what atob refuses; the re-encoding check refuses what atob lets through', () => {
    expect(atobBytes('not base64!')).toBeUndefined();
    expect(atobBytes('\u00e9AAA')).toBeUndefined();
    for (const lenient of ['AQID BA==', 'AQIDBB==']) {
      const bytes = atobBytes(lenient)!;
      expect(bytes).toBeInstanceOf(Uint8Array);
      expect(btoaBytes(bytes)).not.toBe(lenient); // base64ToBytes compares exactly this
      expect(base64ToBytes(lenient)).toBeUndefined();
    }
  });
});
