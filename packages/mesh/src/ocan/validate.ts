/**
 * Chain validation: shape, limits and blocked keys, for the chain and every nested argument chain,
 * before anything executes. Linear in chain length plus argument size.
 */
import type { NestedOperationMarker, OcanConfig, OperationChain } from './types.ts';

/** Default most operations per chain. */
export const DEFAULT_MAX_DEPTH = 50;
/** Default most arguments per call. */
export const DEFAULT_MAX_ARGS = 100;

/** Keys never allowed in an inbound chain: they lead to the `Function` constructor. */
const BLOCKED_KEYS = new Set(['constructor', '__proto__', 'prototype']);

/**
 * True for a nested-operation marker (`{ __isNestedOperation: true, ... }`).
 * @example isNestedOperationMarker({ __isNestedOperation: true, __operationChain: [] }) // true
 */
export function isNestedOperationMarker(value: unknown): value is NestedOperationMarker {
  return typeof value === 'object' && value !== null && (value as { __isNestedOperation?: unknown }).__isNestedOperation === true;
}

/** Arrays and plain objects: the containers whose members may hold nested markers. */
export function isPlainData(value: unknown): value is Record<string, unknown> | unknown[] {
  if (Array.isArray(value)) return true;
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Calls `visit` for every nested marker in `args` (top level, arrays, plain objects; cycle-safe). */
export function forEachMarker(args: readonly unknown[], visit: (marker: NestedOperationMarker) => void): void {
  const seen = new Set<object>();
  const stack: unknown[] = [...args];
  while (stack.length) {
    const v = stack.pop();
    if (isNestedOperationMarker(v)) {
      visit(v);
      continue;
    }
    if (!isPlainData(v) || seen.has(v)) continue;
    seen.add(v);
    if (Array.isArray(v)) for (const item of v) stack.push(item);
    else for (const key of Object.keys(v)) stack.push(v[key]);
  }
}

function validateAt(chain: unknown, config: OcanConfig, level: number): void {
  const maxDepth = config.maxDepth ?? DEFAULT_MAX_DEPTH;
  const maxArgs = config.maxArgs ?? DEFAULT_MAX_ARGS;
  if (!Array.isArray(chain)) throw new TypeError('Invalid operation chain: operations must be an array');
  if (chain.length > maxDepth) throw new RangeError(`Operation chain too deep: ${chain.length} > ${maxDepth}`);
  if (level > maxDepth) throw new RangeError(`Operation chain too deep: nested ${level} levels > ${maxDepth}`);
  let calls = 0;
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
      forEachMarker(args, (marker) => {
        if (marker.__operationChain !== undefined) validateAt(marker.__operationChain, config, level + 1);
        else if (typeof marker.__refId !== 'string') {
          throw new TypeError('Invalid operation chain: nested operation marker needs __operationChain or __refId');
        }
      });
    } else {
      throw new TypeError(`Invalid operation chain: operation ${i} has unknown type '${String(type)}'`);
    }
  }
  if ((config.requireMeshDecorator ?? true) && calls === 0) {
    throw new TypeError('Invalid operation chain: an inbound chain must call a method; pure property reads are rejected');
  }
  config.checkEntry?.(chain as OperationChain);
}

/**
 * Checks shape, limits (`maxDepth`, `maxArgs`), blocked keys (`constructor`, `__proto__`,
 * `prototype`, non-string keys) and `checkEntry` for the chain and every nested chain; throws on the
 * first problem.
 * @example validateOperationChain(chain, { maxDepth: 10 });
 */
export function validateOperationChain(chain: unknown, config: OcanConfig = {}): asserts chain is OperationChain {
  validateAt(chain, config, 0);
}
