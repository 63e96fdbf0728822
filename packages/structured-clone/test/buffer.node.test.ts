/**
 * Node-only (spec §3.6): a Node Buffer encodes as a Uint8Array of exactly its visible bytes, even
 * when it is a slice of Node's shared allocation pool.
 */
import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { parse, preprocess, stringify } from '../src/index.ts';

describe('Node Buffer', () => {
  it('a pooled Buffer arrives as a Uint8Array holding only its own bytes', () => {
    const pooled = Buffer.from('secret-neighbour|visible');
    const view = pooled.subarray(17);
    expect(view.buffer.byteLength).toBeGreaterThan(view.length); // it really sits in a larger pool
    const entry = preprocess(view).objects[0] as [string, { type: string; data: string }];
    expect(entry[1].type).toBe('Uint8Array');
    expect(Buffer.from(entry[1].data, 'base64').toString()).toBe('visible');
    const out = parse(stringify(view));
    expect(out).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(out)).toBe(false);
    expect(new TextDecoder().decode(out)).toBe('visible');
  });
});
