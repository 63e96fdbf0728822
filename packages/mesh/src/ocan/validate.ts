/**
 * Chain validation: shape, limits, budgets and blocked keys, for the chain and every nested chain,
 * before anything executes. Linear: each nested chain is validated once however often it is
 * referenced, and only the containers recorded on the way to a marker are walked.
 */
import { isNestedOperationMarker, leadsToMarker } from './marker.ts';
import { DEFAULT_MAX_ARGS, DEFAULT_MAX_DEPTH, DEFAULT_MAX_NESTED, DEFAULT_MAX_OPERATIONS } from './limits.ts';
import type { NestedOperationMarker, OcanConfig, OperationChain } from './types.ts';

export { DEFAULT_MAX_ARGS, DEFAULT_MAX_DEPTH, DEFAULT_MAX_NESTED, DEFAULT_MAX_OPERATIONS, isPlainData } from './limits.ts';
export { isNestedOperationMarker } from './marker.ts';

/** Keys never allowed in an inbound chain: they lead to the `Function` constructor. */
const BLOCKED_KEYS = new Set(['constructor', '__proto__', 'prototype']);

/**
 * Calls `visit` once for every distinct marker in `args` (top level, and inside the arrays and plain
 * objects recorded on the way to one). `seen` may be shared across calls to walk each container once.
 */
export function forEachMarker(args: readonly unknown[], visit: (marker: NestedOperationMarker) => void, seen: Set<object> = new Set()): void {
  const stack: unknown[] = [...args];
  while (stack.length) {
    const v = stack.pop();
    if (isNestedOperationMarker(v)) {
      if (seen.has(v)) continue;
      seen.add(v);
      visit(v);
      continue;
    }
    if (!leadsToMarker(v) || seen.has(v)) continue;
    seen.add(v);
    if (Array.isArray(v)) for (const item of v) stack.push(item);
    else for (const key of Object.keys(v)) stack.push(v[key]);
  }
}

interface ValidationState {
  readonly config: OcanConfig;
  readonly maxDepth: number;
  readonly maxArgs: number;
  readonly maxOperations: number;
  readonly maxNested: number;
  readonly seen: Set<object>;
  operations: number;
  nested: number;
}

function validateAt(chain: unknown, state: ValidationState, level: number): void {
  const { maxDepth, maxArgs } = state;
  if (!Array.isArray(chain)) throw new TypeError('Invalid operation chain: operations must be an array');
  if (chain.length > maxDepth) throw new RangeError(`Operation chain too deep: ${chain.length} > ${maxDepth}`);
  if (level > maxDepth) throw new RangeError(`Operation chain too deep: nested ${level} levels > ${maxDepth}`);
  state.operations += chain.length;
  if (state.operations > state.maxOperations) {
    throw new RangeError(`Operation budget exceeded: more than ${state.maxOperations} operations in one chain and its nested chains`);
  }
  let calls = 0;
  const nested: NestedOperationMarker[] = [];
  for (let i = 0; i < chain.length; i++) {
    const op: unknown = chain[i];
    if (typeof op !== 'object' || op === null) throw new TypeError(`Invalid operation chain: operation ${i} is not an object`);
    const { type } = op as { type?: unknown };
    if (type === 'get') {
      const { key } = op as { key?: unknown };
      if (typeof key !== 'string' && typeof key !== 'number') {
        throw new TypeError(`Invalid operation chain: key of operation ${i} must be a string or number`);
      }
      if (typeof key === 'string' && BLOCKED_KEYS.has(key)) throw new TypeError(`Operation chain uses blocked key '${key}'`);
    } else if (type === 'apply') {
      const { args } = op as { args?: unknown };
      if (!Array.isArray(args)) throw new TypeError(`Invalid operation chain: args of operation ${i} must be an array`);
      if (args.length > maxArgs) throw new RangeError(`Too many arguments: ${args.length} > ${maxArgs}`);
      calls++;
      forEachMarker(args, (marker) => nested.push(marker), state.seen);
    } else {
      throw new TypeError(`Invalid operation chain: operation ${i} has unknown type '${String(type)}'`);
    }
  }
  if ((state.config.requireMeshDecorator ?? true) && calls === 0) {
    throw new TypeError('Invalid operation chain: an inbound chain must call a method; pure property reads are rejected');
  }
  state.config.checkEntry?.(chain as OperationChain);
  for (const marker of nested) {
    if (++state.nested > state.maxNested) {
      throw new RangeError(`Nested operation budget exceeded: more than ${state.maxNested} nested continuations in one chain`);
    }
    if (marker.__operationChain !== undefined) validateAt(marker.__operationChain, state, level + 1);
    else if (typeof marker.__refId !== 'string') {
      throw new TypeError('Invalid operation chain: nested operation marker needs __operationChain or __refId');
    }
  }
}

/**
 * Checks shape, limits (`maxDepth`, `maxArgs`), budgets (`maxOperations`, `maxNestedOperations`),
 * blocked keys (`constructor`, `__proto__`, `prototype`, non-string keys) and `checkEntry` for the
 * chain and every nested chain; throws on the first problem. Linear in the chain's size.
 * @example validateOperationChain(chain, { maxDepth: 10 });
 */
export function validateOperationChain(chain: unknown, config: OcanConfig = {}): asserts chain is OperationChain {
  validateAt(
    chain,
    {
      config,
      maxDepth: config.maxDepth ?? DEFAULT_MAX_DEPTH,
      maxArgs: config.maxArgs ?? DEFAULT_MAX_ARGS,
      maxOperations: config.maxOperations ?? DEFAULT_MAX_OPERATIONS,
      maxNested: config.maxNestedOperations ?? DEFAULT_MAX_NESTED,
      seen: new Set(),
      operations: 0,
      nested: 0,
    },
    0,
  );
}
