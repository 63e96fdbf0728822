/**
 * Continuations: proxies that record property reads and calls against a type `T` and convert to a
 * plain operation chain. `newContinuation<T>().a(1).b()` records `[get a, apply [1], get b, apply []]`.
 * See docs/mesh.md#continuations.
 */
import { createNestedOperation, markPathContainer } from './marker.ts';
import type { NestedOperationMarker, OperationChain } from './types.ts';

declare const continuationBrand: unique symbol;

/** Branded supertype of every continuation. */
export interface AnyContinuation {
  readonly [continuationBrand]: true;
  /** Result placeholder: as a handler argument, replaced by the call's value (or Error). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the placeholder must fit any parameter
  readonly $result: any;
}

type ContinuationArgs<A extends readonly unknown[]> = { [I in keyof A]: A[I] | AnyContinuation };
/** A handler may leave out its last parameter: the result is appended there. */
type DropLast<A extends readonly unknown[]> = A extends readonly [...infer Head, unknown] ? Head : A;

/**
 * A continuation against `T`: every member is a continuation of that member's type, and calling a
 * function-typed continuation gives a continuation of its (awaited) return type. The last argument
 * may be left out (a handler then receives the result there).
 * @example const c: Continuation<Counter> = this.ctn<Counter>(); c.increment(2);
 */
export type Continuation<T> = AnyContinuation &
  (T extends (...args: infer A) => infer R
    ? ((...args: ContinuationArgs<A>) => Continuation<Awaited<R>>) & ((...args: ContinuationArgs<DropLast<A>>) => Continuation<Awaited<R>>)
    : unknown) &
  (T extends object ? { readonly [K in keyof T]: Continuation<T[K]> } : unknown);

/** The frozen object `ctn().$result` returns; recognized by shape so it survives persistence. */
export interface ResultPlaceholder {
  readonly __isResultPlaceholder: true;
}

/** The one in-memory `$result` placeholder. */
export const RESULT_PLACEHOLDER: ResultPlaceholder = Object.freeze({ __isResultPlaceholder: true as const });

/** True for `ctn().$result` (also after it was serialized and revived). */
export function isResultPlaceholder(value: unknown): value is ResultPlaceholder {
  return typeof value === 'object' && value !== null && (value as { __isResultPlaceholder?: unknown }).__isResultPlaceholder === true;
}

/** Raw chains by proxy; arguments may still hold other continuations. */
const rawChains = new WeakMap<object, OperationChain>();

function record(chain: OperationChain): AnyContinuation {
  // A function target makes the proxy callable; its own properties are never exposed.
  const target = () => {};
  const proxy = new Proxy(target, {
    get(_t, key) {
      if (key === '$result') return RESULT_PLACEHOLDER;
      // Not thenable (an accidental `await` must not hang) and no symbol keys (inspection, coercion).
      if (key === 'then' || typeof key === 'symbol') return undefined;
      return record([...chain, { type: 'get', key }]);
    },
    apply(_t, _this, args: unknown[]) {
      return record([...chain, { type: 'apply', args }]);
    },
    set() {
      throw new TypeError('Continuations are read-only: record calls and property reads, not assignments');
    },
  }) as unknown as AnyContinuation;
  rawChains.set(proxy, chain);
  return proxy;
}

/**
 * A fresh continuation against `T` (what `this.ctn<T>()` returns).
 * @example const c = newContinuation<Calculator>().add(1, 2);
 */
export function newContinuation<T>(): Continuation<T> {
  return record([]) as Continuation<T>;
}

/** True for values made by {@link newContinuation} (and `this.ctn()`). */
export function isContinuation(value: unknown): value is AnyContinuation {
  return (typeof value === 'function' || typeof value === 'object') && value !== null && rawChains.has(value);
}

/** The recorded chain with nested continuations still in place (internal: serialization converts them). */
export function getRawOperationChain(value: unknown): OperationChain | undefined {
  return (typeof value === 'function' || typeof value === 'object') && value !== null ? rawChains.get(value) : undefined;
}

/**
 * The plain operation chain of a continuation (`undefined` for anything else). Continuations used as
 * arguments become {@link NestedOperationMarker}s (one per continuation, so a continuation used twice
 * runs once); arguments without continuations keep their identity. It returns only the chain; it does
 * not capture call context. To store or send it, encode it with `encodeOperationChain`.
 * @example ctx.storage.kv.put('job', encodeOperationChain(getOperationChain(this.ctn().run(42))!));
 */
export function getOperationChain(value: unknown): OperationChain | undefined {
  return chainOf(value, new Map());
}

type MarkerMemo = Map<object, NestedOperationMarker>;

function chainOf(value: unknown, memo: MarkerMemo): OperationChain | undefined {
  const raw = getRawOperationChain(value);
  if (!raw) return undefined;
  return raw.map((op) => (op.type === 'get' ? { type: 'get', key: op.key } : { type: 'apply', args: toMarkerArgs(op.args, memo) }));
}

function toMarkerArgs(args: unknown[], memo: MarkerMemo): unknown[] {
  const out = args.map((arg) => toMarkers(arg, memo));
  if (out.some((a, i) => a !== args[i])) markPathContainer(out);
  return out;
}

function isPlainContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  if (Array.isArray(value)) return true;
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Whether a continuation occurs in `value`, through arrays and plain objects (cycle-safe). */
function containsContinuation(value: unknown): boolean {
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (isContinuation(v)) return true;
    if (!isPlainContainer(v) || seen.has(v)) continue;
    seen.add(v);
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push(child);
  }
  return false;
}

function markerFor(continuation: AnyContinuation, memo: MarkerMemo): NestedOperationMarker {
  let marker = memo.get(continuation);
  if (!marker) {
    marker = createNestedOperation(chainOf(continuation, memo));
    memo.set(continuation, marker);
  }
  return marker;
}

/**
 * Replaces continuations by markers, copying only arguments that contain one (cycle-safe). The copies
 * are recorded as containers on the way to a marker, the only ones execution walks.
 */
function toMarkers(arg: unknown, memo: MarkerMemo): unknown {
  if (isContinuation(arg)) return markerFor(arg, memo);
  if (!isPlainContainer(arg) || !containsContinuation(arg)) return arg;
  const copies = new Map<object, unknown>();
  const copy = (v: unknown): unknown => {
    if (isContinuation(v)) return markerFor(v, memo);
    if (!isPlainContainer(v)) return v;
    const done = copies.get(v);
    if (done) return done;
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      copies.set(v, out);
      markPathContainer(out);
      for (const item of v) out.push(copy(item));
      return out;
    }
    const out: Record<string, unknown> = Object.getPrototypeOf(v) === null ? Object.create(null) : {};
    copies.set(v, out);
    markPathContainer(out);
    for (const [k, item] of Object.entries(v)) Object.defineProperty(out, k, { value: copy(item), writable: true, enumerable: true, configurable: true });
    return out;
  };
  return copy(arg);
}
