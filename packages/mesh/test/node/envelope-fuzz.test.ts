/**
 * Seeded fuzzing of the callee's envelope and chain decoders (security hardening): 12,000 hostile
 * envelopes through JSON.parse → validateCallEnvelope → decodeWork → validateOperationChain → the
 * executor. No crash (every refusal is an Error with a message), no case over 1 s, no prototype
 * pollution. The workerd half (adversarial.test.ts) sends a sample to a real DO and checks storage.
 */
import { describe, expect, it } from 'vitest';
import { decodeWork, validateCallEnvelope } from '../../src/envelope.ts';
import { mesh } from '../../src/decorators.ts';
import { INBOUND_EXECUTION } from '../../src/node/inbound.ts';
import { runValidatedChain } from '../../src/ocan/execute.ts';
import { validateOperationChain } from '../../src/ocan/validate.ts';
import { envelopeFuzzCases } from '../fuzz/envelope-cases.ts';

class Target {
  leafRuns = 0;
  @mesh leaf(n: unknown) {
    this.leafRuns++;
    return n;
  }
  @mesh echo(...values: unknown[]) {
    return values;
  }
  @mesh sum(...values: unknown[]) {
    return values.length;
  }
}

const prototypeKeys = () => [Object.getOwnPropertyNames(Object.prototype).sort(), Object.getOwnPropertyNames(Array.prototype).sort()];

describe('envelope and chain decoders under seeded fuzzing', () => {
  it('12,000 hostile envelopes: refused with an Error or run; never a crash, a hang or pollution', async () => {
    const before = prototypeKeys();
    const cases = envelopeFuzzCases(0xc0ffee, 12_000, 'fuzz');
    let refused = 0;
    let accepted = 0;
    let worstMs = 0;
    let worstPerKb = 0;
    for (const { text, how } of cases) {
      const start = performance.now();
      try {
        const value: unknown = JSON.parse(text);
        validateCallEnvelope(value);
        const work = decodeWork(value);
        const chains = work.batch ? work.chains : [work.chain];
        for (const chain of chains) validateOperationChain(chain, INBOUND_EXECUTION);
        for (const chain of chains) await runValidatedChain(chain, new Target(), INBOUND_EXECUTION, false);
        accepted++;
      } catch (e) {
        refused++;
        if (!(e instanceof Error) || e.message === '' || /Maximum call stack/.test(e.message)) {
          throw new Error(`${how}: not a clean refusal: ${String(e)}\n${text.slice(0, 300)}`);
        }
      }
      const ms = performance.now() - start;
      if (ms > 1000) throw new Error(`${how}: took ${ms.toFixed(0)} ms`);
      worstMs = Math.max(worstMs, ms);
      worstPerKb = Math.max(worstPerKb, ms / Math.max(text.length / 1024, 1));
    }
    console.log(`[fuzz] envelopes: ${cases.length} cases, ${refused} refused, ${accepted} ran; worst ${worstMs.toFixed(2)} ms, worst ${worstPerKb.toFixed(3)} ms/KB`);
    expect(refused + accepted).toBe(12_000);
    expect(refused).toBeGreaterThan(1_000);
    expect(accepted).toBeGreaterThan(100);
    expect(prototypeKeys()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }, 120_000);
});
