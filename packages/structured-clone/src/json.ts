/**
 * Tier 1: the JSON-string form of `preprocess`/`postprocess`.
 */
import { postprocess } from './postprocess.ts';
import { preprocess } from './preprocess.ts';
import type { LmzIntermediate, PreprocessOptions } from './types.ts';

/**
 * Serializes any supported value graph to a JSON string (equals `JSON.stringify(preprocess(v))`).
 *
 * @example const text = stringify({ when: new Date(), big: 2n ** 64n }); // parse(text) gives them back
 */
export function stringify(value: unknown, options?: PreprocessOptions): string {
  return JSON.stringify(preprocess(value, options));
}

/**
 * Parses text from `stringify` back into a value graph. Throws `SyntaxError` for text that is not
 * JSON and `StructuredCloneDecodeError` (a `TypeError`) for malformed data.
 *
 * @example const value = parse(stringify(new Set([1, 2])));
 */
export function parse(text: string): any {
  return postprocess(JSON.parse(text) as LmzIntermediate);
}
