/** Shared helpers of the structured-clone suites (portable: Node, workerd, Chromium). */
import { parse, postprocess, preprocess, stringify } from '../src/index.ts';

/**
 * The three ways a value can travel: tier 1 (string), tier 2 (object) and tier 2 through JSON.
 * Each result is a fresh decode of `value`.
 */
export function allTiers(value: unknown): any[] {
  return [
    parse(stringify(value)),
    postprocess(preprocess(value)),
    postprocess(JSON.parse(JSON.stringify(preprocess(value)))),
  ];
}

/** Tier-1 round trip (typed loosely: the tests inspect what came back). */
export function roundTrip(value: unknown): any {
  return parse(stringify(value));
}

/** Bytes of an ArrayBuffer or view as a plain number array (for exact comparisons). */
export function bytesOf(value: ArrayBuffer | ArrayBufferView): number[] {
  const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return Array.from(bytes);
}

/** Captures what `fn` throws (fails the test if it returns). */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}
