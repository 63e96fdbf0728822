/**
 * Tier 1: the JSON-string form of `preprocess`/`postprocess`.
 */
import { decode } from './postprocess.ts';
import { preprocessForText } from './preprocess.ts';
import type { LmzIntermediate, PreprocessOptions } from './types.ts';

/**
 * Serializes any supported value graph to a JSON string (equals `JSON.stringify(preprocess(v))`).
 *
 * @example const text = stringify({ when: new Date(), big: 2n ** 64n }); // parse(text) gives them back
 */
export function stringify(value: unknown, options?: PreprocessOptions): string {
  const { data, largeBinary } = preprocessForText(value, options);
  return largeBinary.length === 0 ? JSON.stringify(data) : spliceBinary(data, largeBinary);
}

/**
 * The exact text of `JSON.stringify(data)`, built without making JSON.stringify scan megabytes of
 * base64 for characters to escape: base64 has none, so those payloads are written directly and
 * the other entries go through JSON.stringify in runs.
 */
function spliceBinary(data: LmzIntermediate, largeBinary: number[]): string {
  const { objects } = data;
  const pieces: string[] = [];
  let from = 0;
  for (const index of largeBinary) {
    if (index > from) pieces.push(JSON.stringify(objects.slice(from, index)).slice(1, -1));
    const payload = (objects[index] as [string, { type: string; data: string }])[1];
    pieces.push(`["arraybuffer",{"type":${JSON.stringify(payload.type)},"data":"${payload.data}"}]`);
    from = index + 1;
  }
  if (from < objects.length) pieces.push(JSON.stringify(objects.slice(from)).slice(1, -1));
  return `{"root":${JSON.stringify(data.root)},"objects":[${pieces.join(',')}]}`;
}

/**
 * Parses text from `stringify` back into a value graph. Throws `SyntaxError` for text that is not
 * JSON and `StructuredCloneDecodeError` (a `TypeError`) for malformed data.
 *
 * @example const value = parse(stringify(new Set([1, 2])));
 */
export function parse(text: string): any {
  // The parsed table is ours alone, so it may be decoded in place.
  return decode(JSON.parse(text) as LmzIntermediate, true);
}
