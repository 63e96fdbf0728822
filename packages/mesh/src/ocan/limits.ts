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

/** The budget counters one envelope's chains share. */
export interface ChainCounters {
  readonly maxDepth: number;
  readonly maxOperations: number;
  operations: number;
}

/** Checks a chain's length, its nesting level and the shared operation budget; throws naming the limit. */
export function checkChainSize(chain: unknown, level: number, counters: ChainCounters): asserts chain is unknown[] {
  const { maxDepth } = counters;
  if (!Array.isArray(chain)) throw new TypeError('Invalid operation chain: operations must be an array');
  if (chain.length > maxDepth) throw new RangeError(`Operation chain too deep: ${chain.length} > ${maxDepth}`);
  if (level > maxDepth) throw new RangeError(`Operation chain too deep: nested ${level} levels > ${maxDepth}`);
  counters.operations += chain.length;
  if (counters.operations > counters.maxOperations) {
    throw new RangeError(`Operation budget exceeded: more than ${counters.maxOperations} operations in one chain and its nested chains`);
  }
}

/** One operation, shape-checked: a `get` with a string or number key, or an `apply` with an args array. */
export type CheckedOperation = { type: 'get'; key: string | number } | { type: 'apply'; args: unknown[]; op: object };

/** Checks the shape of operation `i` and its argument count; throws naming the problem. */
export function checkOperation(op: unknown, i: number, maxArgs: number): CheckedOperation {
  if (typeof op !== 'object' || op === null) throw new TypeError(`Invalid operation chain: operation ${i} is not an object`);
  const { type } = op as { type?: unknown };
  if (type === 'get') {
    const { key } = op as { key?: unknown };
    if (typeof key !== 'string' && typeof key !== 'number') throw new TypeError(`Invalid operation chain: key of operation ${i} must be a string or number`);
    return { type, key };
  }
  if (type === 'apply') {
    const { args } = op as { args?: unknown };
    if (!Array.isArray(args)) throw new TypeError(`Invalid operation chain: args of operation ${i} must be an array`);
    if (args.length > maxArgs) throw new RangeError(`Too many arguments: ${args.length} > ${maxArgs}`);
    return { type, args, op };
  }
  throw new TypeError(`Invalid operation chain: operation ${i} has unknown type '${String(type)}'`);
}
