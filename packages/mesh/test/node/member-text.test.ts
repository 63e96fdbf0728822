/**
 * memberText cuts one top-level member's raw JSON out of a client frame so the gateway can forward
 * the chain as text. It must always agree with JSON.parse on text JSON.parse accepts (the gateway
 * parses every frame first), including hostile shapes a client could send.
 */
import { describe, expect, it } from 'vitest';
import { batchElementTexts, memberText } from '../../src/gateway/member-text.ts';
import { seededRandom } from '../../../../tools/seeded-random.ts';

/** What JSON.parse keeps for `name`, re-read from memberText's slice. */
function agrees(text: string, name = 'chain'): void {
  const parsed = JSON.parse(text) as unknown;
  const slice = memberText(text, name);
  const expected = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && Object.hasOwn(parsed, name) ? (parsed as Record<string, unknown>)[name] : undefined;
  if (expected === undefined) expect(slice).toBeUndefined();
  else expect(JSON.parse(slice!)).toEqual(expected);
}

describe('memberText (gateway chain pass-through)', () => {
  it('returns the raw text of a top-level member', () => {
    expect(memberText('{"type":"call","chain":{"root":0,"objects":[]},"callId":"a"}', 'chain')).toBe('{"root":0,"objects":[]}');
    expect(memberText(' { "chain" : [1, 2] } ', 'chain')).toBe('[1, 2]');
    expect(memberText('{"chain":"text"}', 'chain')).toBe('"text"');
    expect(memberText('{"chain":-1.5e3}', 'chain')).toBe('-1.5e3');
  });

  it('agrees with JSON.parse on hostile frames: duplicate keys, escaped keys, nested decoys, tricky strings', () => {
    const cases = [
      '{"chain":{"a":1},"chain":{"b":2}}', // JSON.parse keeps the last one
      '{"ch\\u0061in":{"escaped":true}}', // an escaped key is the same key
      '{"x":{"chain":{"decoy":1}},"chain":{"real":1}}', // nested members are not top-level
      '{"x":{"chain":{"decoy":1}}}',
      '{"s":"a \\" } ] { [ \\\\","chain":{"after":"\\\\\\""}}', // quotes, backslashes, brackets in strings
      '{"chain":{"k":"}"},"t":"{"}',
      '{}',
      '{"other":1}',
      '[{"chain":1}]', // not an object
      '"chain"',
      '{"chain":null}',
      '{"__proto__":{"chain":1},"chain":{"ok":1}}',
    ];
    for (const text of cases) agrees(text);
  });

  it('agrees with JSON.parse on 2,000 seeded random frames', () => {
    const rand = seededRandom(20261127);
    const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
    const atoms = ['chain', '"', '\\', '{', '}', '[', ']', ',', ':', 'é', '\u2028', ' ', 'x'];
    const str = () => Array.from({ length: Math.floor(rand() * 6) }, () => pick(atoms)).join('');
    const value = (depth: number): unknown => {
      const r = rand();
      if (depth > 3 || r < 0.3) return pick([str(), 1, -0.5, true, null]);
      if (r < 0.6) return Array.from({ length: Math.floor(rand() * 4) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(rand() * 4) }, () => [pick(['chain', 'type', str()]), value(depth + 1)]));
    };
    for (let i = 0; i < 2000; i++) {
      const frame = value(0);
      const text = rand() < 0.5 ? JSON.stringify(frame) : JSON.stringify(frame, null, 2);
      agrees(text);
    }
  });

  it('batchElementTexts agrees with JSON.parse (and memberText per element) on 2,000 seeded random batches', () => {
    const rand = seededRandom(20261203);
    const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
    const atoms = ['o', 'c', 'chain', 'f', '"', '\\', '{', '}', '[', ']', ',', ':', 'é', ' '];
    const str = () => Array.from({ length: Math.floor(rand() * 5) }, () => pick(atoms)).join('');
    const value = (depth: number): unknown => {
      const r = rand();
      if (depth > 3 || r < 0.3) return pick([str(), 2, true, null]);
      if (r < 0.55) return Array.from({ length: Math.floor(rand() * 3) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(rand() * 4) }, () => [pick(['o', 'c', 'chain', 'i', str()]), value(depth + 1)]));
    };
    for (let i = 0; i < 2000; i++) {
      const members: Array<[string, unknown]> = [['t', 'b']];
      if (rand() < 0.9) members.push(['f', rand() < 0.85 ? Array.from({ length: 1 + Math.floor(rand() * 4) }, () => value(1)) : value(1)]);
      if (rand() < 0.2) members.push(['f', Array.from({ length: 2 }, () => value(1))]); // a duplicate: the last one counts
      members.push(['s', 3]);
      const text = members.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v, null, rand() < 0.3 ? 1 : undefined)}`).join(',');
      const frame = `{${text}}`;
      const parsed = JSON.parse(frame) as { f?: unknown };
      const got = batchElementTexts(frame, 'f', ['o', 'c', 'chain']);
      if (!Array.isArray(parsed.f)) {
        expect(got, frame).toBeUndefined();
        continue;
      }
      expect(got, frame).toHaveLength(parsed.f.length);
      got!.forEach((element, k) => {
        expect(JSON.parse(element.text)).toEqual(parsed.f && (parsed.f as unknown[])[k]);
        for (const name of ['o', 'c', 'chain']) expect(element.members.get(name)).toBe(memberText(element.text, name));
      });
    }
  });
});
