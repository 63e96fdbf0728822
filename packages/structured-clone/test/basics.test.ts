/**
 * Smoke test of the core codec, run in Node, workerd and Chromium. The full acceptance suite is in
 * the other test files (see the README's table).
 */
import { describe, expect, it } from 'vitest';
import { parse, postprocess, preprocess, stringify } from '../src/index.ts';

describe('core codec', () => {
  it('round-trips a rich graph through both tiers', () => {
    const shared = { id: 1 };
    const value: Record<string, unknown> = {
      n: 1.5,
      s: 'x',
      u: undefined,
      big: 2n ** 80n,
      d: new Date(0),
      m: new Map<unknown, unknown>([[shared, 'v']]),
      set: new Set([shared]),
      shared,
    };
    value.self = value;
    for (const out of [parse(stringify(value)), postprocess(preprocess(value))]) {
      expect(out.self).toBe(out);
      expect(out.m.get(out.shared)).toBe('v');
      expect(out.set.has(out.shared)).toBe(true);
      expect(out.big).toBe(2n ** 80n);
      expect(out.d).toEqual(new Date(0));
      expect('u' in out).toBe(true);
    }
  });
});
