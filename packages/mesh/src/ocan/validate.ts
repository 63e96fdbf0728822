/**
 * Chain validation: shape, limits, budgets and blocked keys, for the chain and every nested chain,
 * before anything executes. Linear: each nested chain is validated once however often it is
 * referenced, and only the containers recorded on the way to a marker are walked.
 */
import { holdsMarker, isNestedOperationMarker, leadsToMarker } from './marker.ts';
import { checkChainSize, checkOperation, DEFAULT_MAX_ARGS, DEFAULT_MAX_DEPTH, DEFAULT_MAX_NESTED, DEFAULT_MAX_OPERATIONS } from './limits.ts';
import type { NestedOperationMarker, OcanConfig, OperationChain } from './types.ts';

export { DEFAULT_MAX_ARGS, DEFAULT_MAX_DEPTH, DEFAULT_MAX_NESTED, DEFAULT_MAX_OPERATIONS, isPlainData } from './limits.ts';
export { isNestedOperationMarker } from './marker.ts';

/** Keys never allowed in an inbound chain: they lead to the `Function` constructor. */
const BLOCKED_KEYS = new Set(['constructor', '__proto__', 'prototype']);

/** True for a key no inbound chain may read (see {@link validateOperationChain}). */
export function isBlockedKey(key: string | number): boolean {
  return typeof key === 'string' && BLOCKED_KEYS.has(key);
}

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
  /** Containers and markers walked already (made on first use: most chains hold no marker). */
  seen?: Set<object>;
  operations: number;
  nested: number;
}

function validateAt(chain: unknown, state: ValidationState, level: number): void {
  checkChainSize(chain, level, state);
  let calls = 0;
  let nested: NestedOperationMarker[] | undefined;
  for (let i = 0; i < chain.length; i++) {
    const op = checkOperation(chain[i], i, state.maxArgs);
    if (op.type === 'get') {
      if (typeof op.key === 'string' && BLOCKED_KEYS.has(op.key)) throw new TypeError(`Operation chain uses blocked key '${op.key}'`);
    } else {
      calls++;
      // Markers sit only in the arguments themselves or in containers recorded on the way to one
      // (a decoded chain's `nested` paths): arguments with neither are data and need no walk.
      if (holdsMarker(op.args)) {
        const list = (nested ??= []);
        forEachMarker(op.args, (marker) => list.push(marker), (state.seen ??= new Set()));
      }
    }
  }
  if ((state.config.requireMeshDecorator ?? true) && calls === 0) {
    throw new TypeError('Invalid operation chain: an inbound chain must call a method; pure property reads are rejected');
  }
  state.config.checkEntry?.(chain as OperationChain);
  if (nested) for (const marker of nested) {
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
      operations: 0,
      nested: 0,
    },
    0,
  );
}
