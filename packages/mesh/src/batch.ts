/**
 * `ctnBatch`: several continuations sent as one atomic unit to a LumenizeDO callee (backlog §9
 * item 6). Runtime-neutral, so clients build batches too.
 */
import { getOperationChain, isContinuation, type AnyContinuation, type Continuation } from './ocan/continuation.ts';
import type { OperationChain } from './ocan/types.ts';

const batches = new WeakMap<object, OperationChain[]>();

/**
 * A batch of continuations, usable as `remote` in `call`/`callRaw`. The callee runs `onBeforeCall`
 * once, then every entry as its own entry point, in order, in one transaction; the value is the list
 * of entry results.
 * @example this.lmz.call('BANK', 'b1', this.ctnBatch([bank.debit('a', 5), bank.credit('b', 5)]), this.ctn().done(this.ctn().$result));
 */
export function createBatch(ops: AnyContinuation[]): Continuation<unknown[]> {
  if (!Array.isArray(ops) || ops.length === 0) throw new TypeError('ctnBatch(ops): expected a non-empty array of continuations');
  const chains = ops.map((op, i) => {
    const chain = isContinuation(op) ? getOperationChain(op) : undefined;
    if (!chain) throw new TypeError(`ctnBatch(ops): entry ${i} is not a continuation created with this.ctn()`);
    if (!chain.some((o) => o.type === 'apply')) throw new TypeError(`ctnBatch(ops): entry ${i} must call a method`);
    return chain;
  });
  const batch = new Proxy(Object.freeze({}), {
    get(_t, key) {
      if (key === 'then' || typeof key === 'symbol') return undefined;
      throw new TypeError('A ctnBatch continuation cannot be extended; use it as the remote of call() or callRaw()');
    },
  });
  batches.set(batch, chains);
  return batch as unknown as Continuation<unknown[]>;
}

/** The entry chains of a batch made by {@link createBatch}, else undefined. */
export function getBatchChains(value: unknown): OperationChain[] | undefined {
  return typeof value === 'object' && value !== null ? batches.get(value) : undefined;
}
