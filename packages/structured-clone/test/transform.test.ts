/**
 * Acceptance items 53–54 (spec §3.10): the transform hook, its lazily computed path, replacements
 * through the normal pipeline, TRANSFORM_SKIP, and identity of replaced originals.
 */
import { describe, expect, it } from 'vitest';
import { parse, preprocess, postprocess, stringify, TRANSFORM_SKIP, type PathElement } from '../src/index.ts';

describe('transform hook', () => {
  it('53: a hook that replaces functions sees correct paths, and its replacement may contain a Date that survives', () => {
    const seen: PathElement[][] = [];
    const handler = () => 'x';
    const value = { api: { handlers: [1, handler] }, map: new Map([['k', handler]]) };
    const text = stringify(value, {
      transform: (v, context) => {
        if (typeof v !== 'function') return TRANSFORM_SKIP;
        seen.push(context.path);
        return { remote: context.path.map((p) => p.key).join('/'), at: new Date(42) };
      },
    });
    expect(seen).toEqual([
      [
        { type: 'get', key: 'api' },
        { type: 'get', key: 'handlers' },
        { type: 'index', key: 1 },
      ],
    ]);
    const out = parse(text);
    expect(out.api.handlers[1]).toEqual({ remote: 'api/handlers/1', at: new Date(42) });
    expect(out.api.handlers[1].at).toBeInstanceOf(Date);
    // The same function met again (as a Map value) reuses the first replacement.
    expect(out.map.get('k')).toBe(out.api.handlers[1]);
  });

  it('the hook sees every primitive and the first encounter of every object; Map members report the container path', () => {
    const calls: Array<[unknown, string]> = [];
    const shared = { s: 1 };
    const value = { a: shared, b: shared, m: new Map([['key', 'val']]) };
    preprocess(value, {
      transform: (v, context) => {
        calls.push([v, context.path.map((p) => `${p.type}:${p.key}`).join(' ')]);
        return TRANSFORM_SKIP;
      },
    });
    expect(calls).toEqual([
      [value, ''],
      [shared, 'get:a'],
      [value.m, 'get:m'],
      [1, 'get:a get:s'],
      ['key', 'get:m'],
      ['val', 'get:m'],
    ]);
  });

  it('54: returning TRANSFORM_SKIP gives default handling; the same function met twice under a hook yields one shared replacement', () => {
    const fn = function named() {};
    const skipped = parse(stringify({ f: fn, d: new Date(1) }, { transform: () => TRANSFORM_SKIP }));
    expect(skipped).toEqual({ f: { name: 'named' }, d: new Date(1) });

    let calls = 0;
    const out = postprocess(
      preprocess([fn, { again: fn }], {
        transform: (v) => {
          if (typeof v !== 'function') return TRANSFORM_SKIP;
          calls++;
          return { marker: 'fn' };
        },
      }),
    );
    expect(calls).toBe(1);
    expect(out[0]).toEqual({ marker: 'fn' });
    expect(out[1].again).toBe(out[0]);
  });

  it('a primitive replacement is reused for later references to the same original, and the hook is not re-invoked on a replacement', () => {
    const fn = () => 0;
    let calls = 0;
    const out = parse(
      stringify([fn, fn, 'plain'], {
        transform: (v) => {
          calls++;
          return typeof v === 'function' ? 'replaced' : TRANSFORM_SKIP;
        },
      }),
    );
    expect(out).toEqual(['replaced', 'replaced', 'plain']);
    expect(calls).toBe(3); // the array, the function once, 'plain'
  });

  it('a hook that throws propagates its error unchanged', () => {
    const failure = new Error('functions are not allowed here');
    let thrown: unknown;
    try {
      stringify({ f: () => 1 }, { transform: (v) => (typeof v === 'function' ? (() => { throw failure; })() : TRANSFORM_SKIP) });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBe(failure);
  });
});
