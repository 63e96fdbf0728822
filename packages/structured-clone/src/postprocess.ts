/**
 * `postprocess`: the decoder (decode.ts) with RequestSync and ResponseSync loaded.
 */
import { decode as decodeTable } from './decode.ts';
import { SYNC_REVIVERS } from './sync-revivers.ts';
import type { LmzIntermediate } from './types.ts';

/**
 * Turns tier-2 data from `preprocess` back into a value graph. Safe on untrusted input: throws
 * `StructuredCloneDecodeError` (a `TypeError`) for anything malformed, before returning anything.
 *
 * @example const value = postprocess(preprocess(new Map([[{ id: 1 }, 'a']])));
 */
export function postprocess(data: LmzIntermediate): any {
  return decodeTable(data, false, SYNC_REVIVERS);
}

/** Package-internal: decodes a table; `inPlace` only for a table nobody else holds (see decode.ts). */
export function decode(data: LmzIntermediate, inPlace: boolean): any {
  return decodeTable(data, inPlace, SYNC_REVIVERS);
}
