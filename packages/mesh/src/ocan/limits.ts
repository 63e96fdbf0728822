/** OCAN limits and the one container test shared by the codec, validation and execution. */

/** Default most operations per chain, and most nesting levels of argument chains. */
export const DEFAULT_MAX_DEPTH = 50;
/** Default most arguments per call. */
export const DEFAULT_MAX_ARGS = 100;
/** Default most operations in one chain and all its nested chains together (one envelope). */
export const DEFAULT_MAX_OPERATIONS = 1_000;
/** Default most distinct nested continuations in one chain and all its nested chains. */
export const DEFAULT_MAX_NESTED = 250;
/** Most steps in the path from a call's arguments to one nested continuation. */
export const DEFAULT_MAX_PATH = 64;

/** Arrays and plain objects: the only containers walked on the way to nested markers. */
export function isPlainData(value: unknown): value is Record<string, unknown> | unknown[] {
  if (Array.isArray(value)) return true;
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
