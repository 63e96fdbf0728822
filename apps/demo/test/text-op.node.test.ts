/**
 * The edit transformation shared by DocumentDO and the browser: concurrent edits converge to the
 * same text in either order, nobody's inserted text is lost, and malformed edits are refused.
 */
import { describe, expect, it } from 'vitest';
import { applyOp, assertTextOp, diffOp, InvalidTextOpError, targetLength, transform, transformIndex, type TextOp } from '../src/shared/text-op.ts';
import { seededRandom } from '../../../tools/seeded-random.ts';

function randomEdit(text: string, rand: () => number): string {
  let out = text;
  const edits = 1 + Math.floor(rand() * 3);
  for (let k = 0; k < edits; k++) {
    const pos = Math.floor(rand() * (out.length + 1));
    const del = Math.floor(rand() * Math.min(4, out.length - pos + 1));
    const ins = rand() < 0.7 ? 'xyzäö🙂'.slice(0, Math.floor(rand() * 6)) : '';
    out = out.slice(0, pos) + ins + out.slice(pos + del);
  }
  return out;
}

describe('text operations', () => {
  it('diffOp turns one text into another, applyOp replays it', () => {
    expect(applyOp('hello', diffOp('hello', 'help!'))).toBe('help!');
    expect(diffOp('hello', 'help!')).toEqual([3, 'p!', -2]);
    expect(diffOp('same', 'same')).toEqual([4]);
    expect(applyOp('', diffOp('', 'new text'))).toBe('new text');
  });

  it('two people typing at the same place keep both texts, the first committed first', () => {
    const base = 'Hello';
    const alice: TextOp = [5, ' Alice'];
    const bob: TextOp = [5, ' Bob'];
    const [alice2, bob2] = transform(alice, bob);
    expect(applyOp(applyOp(base, alice), bob2)).toBe('Hello Alice Bob');
    expect(applyOp(applyOp(base, bob), alice2)).toBe('Hello Alice Bob');
  });

  it('an insert inside a range someone else deleted survives', () => {
    const base = 'one two three';
    const del: TextOp = [4, -4, 5]; // removes "two "
    const ins: TextOp = [5, 'X', 8]; // inserts inside "two"
    const [del2, ins2] = transform(del, ins);
    expect(applyOp(applyOp(base, del), ins2)).toBe('one Xthree');
    expect(applyOp(applyOp(base, ins), del2)).toBe('one Xthree');
  });

  it('converges for 3,000 random concurrent edit pairs (seeded)', () => {
    const rand = seededRandom(20261115); // seeded so a failure can be replayed
    for (let n = 0; n < 3_000; n++) {
      const base = randomEdit('The quick brown fox', rand);
      const a = diffOp(base, randomEdit(base, rand));
      const b = diffOp(base, randomEdit(base, rand));
      const [a2, b2] = transform(a, b);
      const viaA = applyOp(applyOp(base, a), b2);
      const viaB = applyOp(applyOp(base, b), a2);
      expect(viaA, `seed step ${n}`).toBe(viaB);
      expect(targetLength(b2)).toBe(viaA.length);
    }
  });

  it('moves a caret past text inserted before it and back over text deleted before it', () => {
    expect(transformIndex(3, [1, 'ab', 4])).toBe(5);
    expect(transformIndex(3, [3, 'X', 2])).toBe(4);
    expect(transformIndex(3, [4, 'X', 1])).toBe(3);
    expect(transformIndex(4, [1, -2, 3])).toBe(2);
    expect(transformIndex(2, [1, -3, 2])).toBe(1);
  });

  it('refuses malformed edits with InvalidTextOpError', () => {
    const bad: unknown[] = ['text', [0], [1.5], ['', 2], [null], [Number.NaN], Array(1001).fill(1)];
    for (const value of bad) {
      expect(() => assertTextOp(value), JSON.stringify(value)?.slice(0, 30)).toThrow(InvalidTextOpError);
    }
    expect(() => applyOp('abc', [2, 'x'])).toThrow('The edit was made for a text of 2 characters, but the document has 3');
    expect(() => transform([1], [2])).toThrow('Both edits must be based on the same text');
  });
});
