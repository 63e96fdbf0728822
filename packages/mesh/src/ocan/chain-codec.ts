/**
 * The chain codec: in-memory chains (markers are branded objects) to and from their wire and storage
 * form, where nested continuations travel out of band in a call's `nested` list and the slots they fill
 * hold `null`. Decoding is linear in the input: each nested chain is decoded once however often it is
 * referenced, a chain that contains itself is refused, and the whole chain shares one budget of
 * operations and nested chains. Runtime-neutral.
 */
import { createNestedOperation, holdsMarker, isNestedOperationMarker, leadsToMarker, markPathContainer } from './marker.ts';
import type { NestedOperationMarker, OcanConfig, Operation, OperationChain, WireNestedOperation, WireOperation, WireOperationChain } from './types.ts';
import { checkChainSize, checkOperation, DEFAULT_MAX_ARGS, DEFAULT_MAX_DEPTH, DEFAULT_MAX_NESTED, DEFAULT_MAX_OPERATIONS, DEFAULT_MAX_PATH, isPlainData } from './limits.ts';

/**
 * The wire/storage form of an in-memory chain (as `getOperationChain` returns it). Store or send this,
 * never the in-memory chain: its markers are branded objects that plain data cannot stand for.
 * @example ctx.storage.kv.put('job', encodeOperationChain(getOperationChain(this.ctn().run(this.ctn().load()))!));
 */
export function encodeOperationChain(chain: OperationChain): WireOperationChain {
  return encodeChain(chain, {});
}

/** One wire chain per marker of a chain; the map is made when the first marker is met. */
type WireMemo = { chains?: Map<NestedOperationMarker, WireOperationChain | undefined> };

function encodeChain(chain: OperationChain, memo: WireMemo): WireOperationChain {
  // A malformed chain (callRaw with a plain chain) passes as it is: the callee's validation names the problem.
  if (!Array.isArray(chain)) return chain;
  return chain.map((op): WireOperation => {
    if (op?.type === 'get') return { type: 'get', key: op.key };
    if (op?.type !== 'apply' || !Array.isArray(op.args)) return op;
    // The usual call: no nested continuation, nothing to walk (the copy is what the walk would return).
    if (!holdsMarker(op.args)) return { type: 'apply', args: op.args.slice() };
    const nested: WireNestedOperation[] = [];
    const copies = new Map<object, unknown>();
    const encode = (value: unknown, path: (string | number)[]): unknown => {
      if (isNestedOperationMarker(value)) {
        // One wire chain per marker: an aliased marker stays one object, so it is decoded and run once.
        const chains = (memo.chains ??= new Map());
        if (!chains.has(value)) chains.set(value, value.__operationChain && encodeChain(value.__operationChain, memo));
        const entry: WireNestedOperation = { path: [...path] };
        const wire = chains.get(value);
        if (wire !== undefined) entry.chain = wire;
        if (value.__refId !== undefined) entry.refId = value.__refId;
        nested.push(entry);
        return null;
      }
      if (!leadsToMarker(value)) return value;
      const done = copies.get(value);
      if (done !== undefined) return done;
      if (Array.isArray(value)) {
        const out: unknown[] = [];
        copies.set(value, out);
        for (let i = 0; i < value.length; i++) out.push(encode(value[i], [...path, i]));
        return out;
      }
      const out: Record<string, unknown> = {};
      copies.set(value, out);
      for (const key of Object.keys(value)) defineData(out, key, encode(value[key], [...path, key]));
      return out;
    };
    const args = op.args.map((arg, i) => encode(arg, [i]));
    return nested.length ? { type: 'apply', args, nested } : { type: 'apply', args };
  });
}

interface DecodeState {
  readonly maxDepth: number;
  readonly maxArgs: number;
  readonly maxOperations: number;
  readonly maxNested: number;
  operations: number;
  nested: number;
  /** Wire chain object → its marker; `null` while that chain is being decoded (a cycle). Made on first use. */
  markers?: Map<object, NestedOperationMarker | null>;
}

/** A shared budget for decoding several chains as one unit (a batch envelope). */
export type ChainBudget = DecodeState;

/** A fresh decode budget from a config's limits (defaults: 50 ops/chain, 100 args, 1,000 ops, 250 nested). */
export function chainBudget(config: OcanConfig = {}): ChainBudget {
  return {
    maxDepth: config.maxDepth ?? DEFAULT_MAX_DEPTH,
    maxArgs: config.maxArgs ?? DEFAULT_MAX_ARGS,
    maxOperations: config.maxOperations ?? DEFAULT_MAX_OPERATIONS,
    maxNested: config.maxNestedOperations ?? DEFAULT_MAX_NESTED,
    operations: 0,
    nested: 0,
  };
}

/**
 * Decodes a wire/storage chain (plain data, e.g. fresh from `postprocess` or JSON) into an in-memory
 * chain whose nested continuations are real markers. Argument values are data whatever their shape.
 * Throws a `TypeError`/`RangeError` naming the problem on a malformed chain or an exceeded limit.
 * Pass one `budget` to decode several chains of one envelope under a shared budget.
 * Decoding fills the markers into the input's argument arrays in place: pass a fresh copy (what
 * `postprocess`, `JSON.parse` or a storage read returns), and decode it once.
 * @example executeOperationChain(decodeOperationChain(ctx.storage.kv.get('job')), this, { requireMeshDecorator: false });
 */
export function decodeOperationChain(wire: unknown, budget: ChainBudget = chainBudget()): OperationChain {
  return decodeChain(wire, budget, 0);
}

function decodeChain(wire: unknown, state: DecodeState, level: number): OperationChain {
  checkChainSize(wire, level, state);
  const out: Operation[] = [];
  for (let i = 0; i < wire.length; i++) {
    const op = checkOperation(wire[i], i, state.maxArgs);
    if (op.type === 'get') {
      out.push({ type: 'get', key: op.key });
      continue;
    }
    const { nested } = op.op as { nested?: unknown };
    if (nested !== undefined) placeNested(op.args, nested, i, state, level);
    out.push({ type: 'apply', args: op.args });
  }
  return out;
}

function placeNested(args: unknown[], nested: unknown, index: number, state: DecodeState, level: number): void {
  if (!Array.isArray(nested)) throw new TypeError(`Invalid operation chain: nested of operation ${index} must be an array`);
  markPathContainer(args);
  for (const entry of nested as unknown[]) {
    if (typeof entry !== 'object' || entry === null) throw new TypeError(`Invalid operation chain: a nested entry of operation ${index} is not an object`);
    const { path, chain, refId } = entry as { path?: unknown; chain?: unknown; refId?: unknown };
    if (refId !== undefined && typeof refId !== 'string') throw new TypeError('Invalid operation chain: nested refId must be a string');
    if (chain === undefined && refId === undefined) throw new TypeError('Invalid operation chain: a nested entry needs a chain or a refId');
    if (++state.nested > state.maxNested) {
      throw new RangeError(`Nested operation budget exceeded: more than ${state.maxNested} nested continuations in one chain`);
    }
    const marker = chain === undefined ? createNestedOperation(undefined, refId as string) : nestedMarker(chain, refId as string | undefined, state, level);
    placeAt(args, path, marker, index);
  }
}

function nestedMarker(chain: unknown, refId: string | undefined, state: DecodeState, level: number): NestedOperationMarker {
  if (typeof chain !== 'object' || chain === null) throw new TypeError('Invalid operation chain: operations must be an array');
  const markers = (state.markers ??= new Map());
  const known = markers.get(chain);
  if (known === null) throw new TypeError('Invalid operation chain: a nested chain contains itself');
  if (known !== undefined) return known;
  markers.set(chain, null);
  const marker = createNestedOperation(decodeChain(chain, state, level + 1), refId);
  markers.set(chain, marker);
  return marker;
}

/** Puts `marker` at `path` inside `args`: every step must be an own slot of a plain container; the slot must hold null. */
function placeAt(args: unknown[], path: unknown, marker: NestedOperationMarker, index: number): void {
  const bad = (why: string) => new TypeError(`Invalid operation chain: nested path of operation ${index} ${why}`);
  if (!Array.isArray(path) || path.length === 0) throw bad('must be a non-empty array');
  if (path.length > DEFAULT_MAX_PATH) throw bad(`is longer than ${DEFAULT_MAX_PATH} steps`);
  let container: unknown = args;
  for (let i = 0; i < path.length; i++) {
    const key: unknown = path[i];
    if (!isPlainData(container)) throw bad('passes through a value that is not an array or plain object');
    if (!ownSlot(container, key)) throw bad(`names a slot that does not exist (${String(key).slice(0, 40)})`);
    markPathContainer(container);
    if (i === path.length - 1) {
      if ((container as Record<string | number, unknown>)[key] !== null) throw bad('must point at a null slot');
      defineData(container as Record<string | number, unknown>, key, marker);
    } else {
      container = (container as Record<string | number, unknown>)[key];
    }
  }
}

function ownSlot(container: Record<string, unknown> | unknown[], key: unknown): key is string | number {
  if (Array.isArray(container)) return typeof key === 'number' && Number.isInteger(key) && key >= 0 && key < container.length;
  return typeof key === 'string' && key !== '__proto__' && Object.prototype.hasOwnProperty.call(container, key);
}

/** Sets an own data property (never an inherited setter such as `__proto__`). */
function defineData(target: object, key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}
