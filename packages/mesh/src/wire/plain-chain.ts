/**
 * The callee's one pass over the usual compact chain (wire/chain.ts): tag 0, one chain, no nested
 * continuation. It goes straight to the in-memory chain, applying in the same pass every check that
 * `decodeCompactChain` → `decodeOperationChain` → `validateOperationChain` would (shape, wire steps,
 * chain length, operation and argument budgets, blocked keys, a call required, `checkEntry`), instead
 * of building a version-1 wire chain, then the in-memory chain, then walking it again. Arguments are
 * taken as they are (tag 0: data whatever their shape, so marker- or intermediate-shaped values stay
 * data). Anything else, or anything that fails a check, is left to the general path (`undefined`),
 * which reports it with its own error: the two paths cannot disagree on an answer.
 */
import { DEFAULT_MAX_ARGS, DEFAULT_MAX_DEPTH, DEFAULT_MAX_OPERATIONS } from '../ocan/limits.ts';
import { isBlockedKey } from '../ocan/validate.ts';
import type { OcanConfig, Operation, OperationChain } from '../ocan/types.ts';
import { CHAIN_PLAIN } from './chain.ts';

/**
 * The in-memory chain of a parsed compact chain `[0, ops]` whose steps are `[key]`, `[key, args]`
 * or `[null, args]`, checked under `config` (and the decoder's default budget, which the general
 * path also applies); `undefined` when the general path must decode it. Throws only what `checkEntry` throws.
 * @example decodePlainChain([0, [['add', [1, 2]]]], INBOUND_EXECUTION) // [{ type: 'get', key: 'add' }, { type: 'apply', args: [1, 2] }]
 */
export function decodePlainChain(v: unknown, config: OcanConfig): OperationChain | undefined {
  if (!Array.isArray(v) || v.length !== 2 || v[0] !== CHAIN_PLAIN) return undefined;
  // Both the decoder's default budget and the config's limits hold on the general path.
  const maxDepth = Math.min(DEFAULT_MAX_DEPTH, config.maxDepth ?? DEFAULT_MAX_DEPTH);
  const maxOperations = Math.min(DEFAULT_MAX_OPERATIONS, config.maxOperations ?? DEFAULT_MAX_OPERATIONS);
  const maxArgs = Math.min(DEFAULT_MAX_ARGS, config.maxArgs ?? DEFAULT_MAX_ARGS);
  const ops: unknown = v[1];
  // Every step is at least one operation (and maxDepth is far below the wire's MAX_WIRE_STEPS).
  if (!Array.isArray(ops) || ops.length > maxDepth) return undefined;
  const out: Operation[] = [];
  let calls = 0;
  for (let i = 0; i < ops.length; i++) {
    const element: unknown = ops[i];
    if (!Array.isArray(element) || element.length < 1 || element.length > 2) return undefined;
    const key: unknown = element[0];
    if (key !== null) {
      if (typeof key !== 'string' && typeof key !== 'number') return undefined;
      if (isBlockedKey(key)) return undefined;
      out.push({ type: 'get', key });
    } else if (element.length === 1) return undefined;
    if (element.length === 1) continue;
    const args: unknown = element[1];
    if (!Array.isArray(args) || args.length > maxArgs) return undefined;
    out.push({ type: 'apply', args });
    calls++;
  }
  if (out.length > maxDepth || out.length > maxOperations) return undefined;
  if ((config.requireMeshDecorator ?? true) && calls === 0) return undefined;
  config.checkEntry?.(out);
  return out;
}
