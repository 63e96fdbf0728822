/**
 * `postprocessLoaded`: `postprocess` without a static dependency on RequestSync/ResponseSync, for
 * clients whose bundle size matters (the rpc browser client). Each class registers its reviver
 * when its module is evaluated, so unbundled programs (Node, workerd) always have both, and a
 * bundle has them exactly when its code names the class.
 */
import { decode } from './decode.ts';
import { registeredSyncRevivers } from './sync-parts.ts';
import type { LmzIntermediate } from './types.ts';

/**
 * Like `postprocess`, with RequestSync/ResponseSync revived only when their class is loaded in
 * this program; an entry of one that is not fails with `StructuredCloneDecodeError` code
 * `NOT_LOADED`, naming the class to import.
 *
 * @example const value = postprocessLoaded(preprocess(new Map([[1, 'a']])));
 */
export function postprocessLoaded(data: LmzIntermediate): any {
  return decode(data, false, registeredSyncRevivers());
}
