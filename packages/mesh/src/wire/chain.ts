/**
 * Operation chains on the compact wire (docs/mesh-clients.md "Wire format"). Operations are plain
 * JSON, one element per step: `[key]` reads `key`, `[key, args]` reads `key` and calls it,
 * `[null, args]` calls the current value; a third member lists the nested continuations of that
 * call as `[path, ops]` (or `[path, ops | null, refId]`). The chain's tag says where the arguments are:
 *
 * - `[0, ops]`: every argument list inline, as plain JSON (the fast path);
 * - `[1, ops, intermediate]`: argument lists in one structured-clone intermediate (so aliases across
 *   arguments hold), the operations holding each list's index in it;
 * - `[2, intermediate]`: the version-1 wire chain through structured-clone (a continuation passed twice).
 *
 * With `batch`, `ops` is a list of chains. Decoding is linear in the input and bounded by
 * {@link MAX_WIRE_STEPS} and {@link MAX_WIRE_NESTING}; OCAN's own validation runs after it.
 */
import type { Operation, WireNestedOperation, WireOperation, WireOperationChain } from '../ocan/types.ts';
import { isPlainTree } from './plain.ts';
import { isIntermediateShape, type WireIntermediate } from './payload.ts';
import { WireFormatError } from './errors.ts';

/** Tag: arguments inline as JSON. */
export const CHAIN_PLAIN = 0;
/** Tag: arguments in one structured-clone intermediate. */
export const CHAIN_ARGS_CLONED = 1;
/** Tag: the whole version-1 wire chain through structured-clone. */
export const CHAIN_LEGACY = 2;

/** Most steps (operations plus nested entries) one compact chain may hold. */
export const MAX_WIRE_STEPS = 10_000;
/** Most levels of nested continuations in one compact chain. */
export const MAX_WIRE_NESTING = 64;

/** A compact chain as it sits in a frame (or as an envelope's chain text). */
export type CompactChain = [0, unknown[]] | [1, unknown[], WireIntermediate] | [2, WireIntermediate];

class Aliased {}

interface EncodeState {
  seen: Set<object>;
  lists: unknown[][];
  slots: unknown[][];
}

type WireApply = Extract<WireOperation, { type: 'apply' }>;

/**
 * The compact steps of `chain`: `[key]` for a read, `[key, args]` for a read and the call after it,
 * `[null, args]` for a call on its own; `finish` completes each call's element.
 */
function compactSteps(chain: readonly WireOperation[], finish: (element: unknown[], op: WireApply) => void): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < chain.length; i++) {
    const op = chain[i]!;
    let element: unknown[];
    if (op.type === 'get') {
      const next = chain[i + 1];
      if (next?.type !== 'apply') {
        out.push([op.key]);
        continue;
      }
      element = [op.key, next.args];
      i++;
      finish(element, next);
    } else {
      element = [null, op.args];
      finish(element, op);
    }
    out.push(element);
  }
  return out;
}

function encodeOps(chain: WireOperationChain, s: EncodeState): unknown[] {
  if (s.seen.has(chain)) throw new Aliased();
  s.seen.add(chain);
  return compactSteps(chain, (element, op) => addApply(element, op, s));
}

function addApply(element: unknown[], op: WireApply, s: EncodeState): void {
  s.lists.push(op.args);
  s.slots.push(element);
  if (!op.nested?.length) return;
  element.push(
    op.nested.map((n: WireNestedOperation) => {
      const entry: unknown[] = [n.path, n.chain === undefined ? null : encodeOps(n.chain, s)];
      if (n.refId !== undefined) entry.push(n.refId);
      return entry;
    }),
  );
}

/**
 * The compact form of a version-1 wire chain (from `encodeOperationChain`), or of a list of them
 * (`batch`). `clone` is structured-clone's `preprocess` with the caller's checks; `special` forces
 * a value off the fast path (so those checks still see it).
 * @example encodeCompactChain([{ type: 'get', key: 'increment' }, { type: 'apply', args: [] }], false, clone) // [0, [['increment', []]]]
 */
export function encodeCompactChain(wire: WireOperationChain | WireOperationChain[], batch: boolean, clone: (v: unknown) => unknown, special?: (v: object) => boolean): CompactChain {
  const s: EncodeState = { seen: new Set(), lists: [], slots: [] };
  let ops: unknown[];
  try {
    ops = batch ? (wire as WireOperationChain[]).map((c) => encodeOps(c, s)) : encodeOps(wire as WireOperationChain, s);
  } catch (e) {
    if (e instanceof Aliased) return [CHAIN_LEGACY, clone(wire) as WireIntermediate];
    throw e;
  }
  if (isPlainTree(s.lists, special)) return [CHAIN_PLAIN, ops];
  const table = clone(s.lists) as WireIntermediate;
  s.slots.forEach((element, index) => (element[1] = index));
  return [CHAIN_ARGS_CLONED, ops, table];
}

/**
 * The compact operations of a chain with no nested continuation (what `encodeCompactChain` gives
 * for its wire chain under tag 0), each argument list copied.
 */
export function plainCompactOps(chain: readonly Operation[]): unknown[] {
  return compactSteps(chain, copyArgs);
}

/** Gives a call's element its own copy of the arguments (later changes to the chain do not reach it). */
function copyArgs(element: unknown[], op: WireApply): void {
  element[1] = op.args.slice();
}

interface DecodeState {
  steps: number;
  table: unknown[] | undefined;
  used: Set<number>;
}

function fail(what: string): never {
  throw new WireFormatError(`Invalid compact chain: ${what}`);
}

function step(s: DecodeState): void {
  if (++s.steps > MAX_WIRE_STEPS) throw new WireFormatError(`Invalid compact chain: more than ${MAX_WIRE_STEPS} steps`, 'LIMIT');
}

function decodeArgs(v: unknown, s: DecodeState): unknown[] {
  if (s.table === undefined) {
    if (!Array.isArray(v)) fail('arguments must be an array');
    return v;
  }
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= s.table.length) fail('an argument index is not in the argument table');
  if (s.used.has(v)) fail(`argument list ${v} is used twice`);
  s.used.add(v);
  const args = s.table[v];
  if (!Array.isArray(args)) fail(`argument list ${v} is not an array`);
  return args;
}

function decodeOps(v: unknown, s: DecodeState, level: number): WireOperationChain {
  if (!Array.isArray(v)) fail('operations must be an array');
  if (level > MAX_WIRE_NESTING) throw new WireFormatError(`Invalid compact chain: nested deeper than ${MAX_WIRE_NESTING}`, 'LIMIT');
  const out: WireOperation[] = [];
  for (const element of v as unknown[]) {
    step(s);
    if (!Array.isArray(element) || element.length < 1 || element.length > 3) fail('an operation must be [key], [key, args] or [key, args, nested]');
    const key: unknown = element[0];
    if (key !== null) {
      if (typeof key !== 'string' && typeof key !== 'number') fail('an operation key must be a string, a number or null');
      out.push({ type: 'get', key });
    } else if (element.length === 1) fail('[null] is not an operation');
    if (element.length === 1) continue;
    const op: WireOperation = { type: 'apply', args: decodeArgs(element[1], s) };
    if (element.length === 3) {
      if (!Array.isArray(element[2])) fail('nested continuations must be an array');
      op.nested = (element[2] as unknown[]).map((entry) => decodeNested(entry, s, level));
    }
    out.push(op);
  }
  return out;
}

function decodeNested(entry: unknown, s: DecodeState, level: number): WireNestedOperation {
  step(s);
  if (!Array.isArray(entry) || entry.length < 2 || entry.length > 3) fail('a nested entry must be [path, ops] or [path, ops | null, refId]');
  if (!Array.isArray(entry[0])) fail('a nested path must be an array');
  const out: WireNestedOperation = { path: entry[0] as (string | number)[] };
  if (entry[1] !== null) out.chain = decodeOps(entry[1], s, level + 1);
  if (entry.length === 3) {
    if (typeof entry[2] !== 'string') fail('a nested refId must be a string');
    out.refId = entry[2];
  }
  return out;
}

/**
 * The version-1 wire chain (or, with `batch`, list of chains) of a received compact chain, as plain
 * data for `decodeOperationChain`. `decode` is structured-clone's `postprocess` (or `postprocessLoaded`).
 * Throws {@link WireFormatError} naming the problem.
 */
export function decodeCompactChain(v: unknown, batch: boolean, decode: (data: WireIntermediate) => unknown): unknown {
  if (!Array.isArray(v) || v.length < 2) fail('expected [tag, ...]');
  const tag: unknown = v[0];
  if (tag === CHAIN_LEGACY) {
    if (v.length !== 2 || !isIntermediateShape(v[1])) fail('tag 2 needs one structured-clone intermediate');
    return decode(v[1]);
  }
  const s: DecodeState = { steps: 0, table: undefined, used: new Set() };
  if (tag === CHAIN_ARGS_CLONED) {
    if (v.length !== 3 || !isIntermediateShape(v[2])) fail('tag 1 needs [1, ops, intermediate]');
    const table = decode(v[2]);
    if (!Array.isArray(table)) fail('the argument table is not an array');
    s.table = table;
  } else if (tag !== CHAIN_PLAIN || v.length !== 2) fail(`unknown chain tag ${JSON.stringify(tag)?.slice(0, 20)}`);
  if (!batch) return decodeOps(v[1], s, 0);
  if (!Array.isArray(v[1]) || v[1].length === 0) fail('a batch must be a non-empty list of chains');
  return (v[1] as unknown[]).map((ops) => decodeOps(ops, s, 0));
}

/** True for a value that is a compact chain by its outer shape (an array with a numeric tag). */
export function isCompactChainShape(v: unknown): v is CompactChain {
  return Array.isArray(v) && (v[0] === CHAIN_PLAIN || v[0] === CHAIN_ARGS_CLONED || v[0] === CHAIN_LEGACY);
}
