/**
 * Seeded fuzzing of the gateway frame decoders in Node, where time can be measured (workerd's clock
 * stands still during execution): the time spent in parseClientFrame, memberText and intermediateTextProblem on
 * 12,000 hostile frames. No decoder throws or disagrees with JSON.parse, no case takes 1 s, and no
 * prototype is polluted. The same cases run inside workerd in frame-fuzz.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { checkCase, frameCases, prototypeSnapshot } from '../frame-fuzz-cases.ts';

describe('gateway frame decoders under seeded fuzzing (Node, timed)', () => {
  it('12,000 hostile frames: no crash, no disagreement, no case over 1 s in the decoders, prototypes untouched', () => {
    const before = prototypeSnapshot();
    const cases = frameCases(0x9a7e, 12_000);
    const problems: string[] = [];
    let worst = { ms: 0, kind: '', kb: 0 };
    let worstPerKb = { msPerKb: 0, kind: '', kb: 0 };
    let totalChars = 0;
    const started = performance.now();
    for (const c of cases) {
      const timing = { now: () => performance.now(), ms: 0 };
      const problem = checkCase(c, timing);
      const ms = timing.ms;
      const kb = Math.max(1, c.text.length / 1024);
      totalChars += c.text.length;
      if (problem) problems.push(`${c.kind}: ${problem} :: ${c.text.slice(0, 120)}`);
      if (ms > worst.ms) worst = { ms, kind: c.kind, kb };
      if (ms / kb > worstPerKb.msPerKb) worstPerKb = { msPerKb: ms / kb, kind: c.kind, kb };
    }
    const total = performance.now() - started;
    console.log(
      `frame fuzz (Node): ${cases.length} cases, ${(totalChars / 1_048_576).toFixed(1)} MiB in ${total.toFixed(0)} ms; ` +
        `worst case ${worst.ms.toFixed(2)} ms (${worst.kind}, ${worst.kb.toFixed(0)} KB); ` +
        `worst per KB ${worstPerKb.msPerKb.toFixed(3)} ms/KB (${worstPerKb.kind}, ${worstPerKb.kb.toFixed(0)} KB)`,
    );
    expect(problems.slice(0, 10)).toEqual([]);
    expect(worst.ms).toBeLessThan(1_000);
    expect(prototypeSnapshot()).toBe(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
