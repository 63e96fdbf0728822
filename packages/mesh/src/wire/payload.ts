/**
 * Payloads (arguments, results, errors) on the compact wire: `[0, json]` when the value is a plain
 * JSON tree (no table, no `$lmz` references), `[1, intermediate]` otherwise (structured-clone). The
 * tag alone says which; a plain value shaped like an intermediate is still data under tag 0.
 */
import { isPlainTree } from './plain.ts';
import { WireFormatError } from './errors.ts';

/** Tag of a payload or chain whose data is plain JSON. */
export const TAG_PLAIN = 0;
/** Tag of a payload whose data is a structured-clone intermediate. */
export const TAG_CLONED = 1;

/** A structured-clone intermediate as it sits on the wire. */
export interface WireIntermediate {
  root: unknown;
  objects: unknown[];
}

/** A tagged payload. */
export type WirePayload = [typeof TAG_PLAIN, unknown] | [typeof TAG_CLONED, WireIntermediate];

/** True for an object with exactly the members `root` and `objects` (an array). */
export function isIntermediateShape(v: unknown): v is WireIntermediate {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  if (!Array.isArray(o.objects) || !Object.hasOwn(o, 'root')) return false;
  let members = 0;
  for (const key in o) if (Object.hasOwn(o, key)) members++;
  return members === 2;
}

/**
 * Tags a value: plain trees as they are, anything else through `clone` (structured-clone's
 * `preprocess`, with the caller's transform).
 * @example encodePayload({ a: 1 }, preprocess) // [0, { a: 1 }]
 */
export function encodePayload(value: unknown, clone: (v: unknown) => unknown): WirePayload {
  return isPlainTree(value) ? [TAG_PLAIN, value] : [TAG_CLONED, clone(value) as WireIntermediate];
}

/**
 * The value of a received payload (`decode`: structured-clone's `postprocess` or `postprocessLoaded`).
 * Throws {@link WireFormatError} on anything but `[0, json]` or `[1, intermediate]`.
 */
export function decodePayload(p: unknown, decode: (data: WireIntermediate) => unknown): unknown {
  if (!Array.isArray(p) || p.length !== 2) throw new WireFormatError('payload must be [tag, data]');
  if (p[0] === TAG_PLAIN) return p[1];
  if (p[0] === TAG_CLONED) {
    if (!isIntermediateShape(p[1])) throw new WireFormatError('payload tag 1 needs a structured-clone intermediate {root, objects}');
    return decode(p[1]);
  }
  throw new WireFormatError(`unknown payload tag ${JSON.stringify(p[0])?.slice(0, 20)}`);
}
