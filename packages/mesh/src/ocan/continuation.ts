/**
 * Continuations: proxies that record property reads and calls against a type `T` and convert to a
 * plain operation chain. `newContinuation<T>().a(1).b()` records `[get a, apply [1], get b, apply []]`.
 * See docs/mesh.md#continuations.
 */
import { createNestedOperation, holdsMarker, markPathContainer } from './marker.ts';
import type { NestedOperationMarker, OperationChain, WireOperationChain } from './types.ts';

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

/** Returns its argument from `new`, so a subclass's private field is added to that object. */
class Stamped {
  constructor(target: object) {
    return target;
  }
}

/**
 * A continuation's raw chain (arguments may still hold other continuations), in a private field
 * stamped onto the proxy (for `isContinuation`) and onto its target function (for the traps): one
 * handler serves every continuation, with no closures or WeakMap entry per recorded step; no data
 * can forge the field and no reflection on the proxy sees it.
 */
class TargetChain extends Stamped {
  #chain: OperationChain;
  constructor(target: object, chain: OperationChain) {
    super(target);
    this.#chain = chain;
  }
  static stamp(target: object, chain: OperationChain): void {
    new TargetChain(target, chain);
  }
  static of(target: object): OperationChain {
    return (target as TargetChain).#chain;
  }
  static find(value: object): OperationChain | undefined {
    return #chain in value ? (value as TargetChain).#chain : undefined;
  }
}

const RECORDER: ProxyHandler<() => void> = {
  get(target, key) {
    if (key === '$result') return RESULT_PLACEHOLDER;
    // Not thenable (an accidental `await` must not hang) and no symbol keys (inspection, coercion).
    if (key === 'then' || typeof key === 'symbol') return undefined;
    return record([...TargetChain.of(target), { type: 'get', key }]);
  },
  apply(target, _this, args: unknown[]) {
    return record([...TargetChain.of(target), { type: 'apply', args }]);
  },
  set() {
    throw new TypeError('Continuations are read-only: record calls and property reads, not assignments');
  },
};

/**
 * A fresh function target. Made here, not as `const target = () => {}` in {@link record}: a bundler
 * with `keep_names` (wrangler's esbuild) wraps a named closure in a `__name` helper call, a
 * `defineProperty` per recorded step.
 */
function newTarget(): () => void {
  return () => {};
}

function record(chain: OperationChain): AnyContinuation {
  // A function target makes the proxy callable; its own properties are never exposed.
  const target = newTarget();
  TargetChain.stamp(target, chain);
  const proxy = new Proxy(target, RECORDER);
  TargetChain.stamp(proxy, chain);
  return proxy as unknown as AnyContinuation;
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
  return typeof value === 'function' && TargetChain.find(value) !== undefined;
}

/** The recorded chain with nested continuations still in place (internal: serialization converts them). */
export function getRawOperationChain(value: unknown): OperationChain | undefined {
  return typeof value === 'function' ? TargetChain.find(value) : undefined;
}

/**
 * The plain operation chain of a continuation (`undefined` for anything else). Continuations used as
 * arguments become {@link NestedOperationMarker}s (one per continuation, so a continuation used twice
 * runs once); arguments without continuations keep their identity. It returns only the chain; it does
 * not capture call context. To store or send it, encode it with `encodeOperationChain`.
 * @example ctx.storage.kv.put('job', encodeOperationChain(getOperationChain(this.ctn().run(42))!));
 */
export function getOperationChain(value: unknown): OperationChain | undefined {
  return chainOf(value, {});
}

/**
 * Internal: the wire chain of a continuation whose arguments hold no continuation and no marker
 * (the usual call), built in one pass; what `encodeOperationChain(getOperationChain(value))` returns
 * for it. `undefined` for anything else (those take the general path).
 */
export function plainWireChain(value: unknown): WireOperationChain | undefined {
  const raw = getRawOperationChain(value);
  if (!raw) return undefined;
  for (const op of raw) if (op.type === 'apply' && !plainArgs(op.args)) return undefined;
  return raw.map((op) => (op.type === 'get' ? { type: 'get', key: op.key } : { type: 'apply', args: op.args.slice() }));
}

function plainArgs(args: unknown[]): boolean {
  if (holdsMarker(args)) return false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (typeof arg === 'function' ? isContinuation(arg) : typeof arg === 'object' && arg !== null && isPlainContainer(arg) && containsContinuation(arg)) return false;
  }
  return true;
}

/** One marker per continuation of a chain; the map is made when the first nested continuation is met. */
type MarkerMemo = { markers?: Map<object, NestedOperationMarker> };

function chainOf(value: unknown, memo: MarkerMemo): OperationChain | undefined {
  const raw = getRawOperationChain(value);
  if (!raw) return undefined;
  return raw.map((op) => (op.type === 'get' ? { type: 'get', key: op.key } : { type: 'apply', args: toMarkerArgs(op.args, memo) }));
}

function toMarkerArgs(args: unknown[], memo: MarkerMemo): unknown[] {
  const out = args.slice();
  let changed = false;
  for (let i = 0; i < args.length; i++) {
    // Primitives never hold a continuation (only functions and objects are looked at).
    const arg = args[i];
    if ((typeof arg !== 'object' && typeof arg !== 'function') || arg === null) continue;
    const marked = toMarkers(arg, memo);
    if (marked !== arg) {
      out[i] = marked;
      changed = true;
    }
  }
  if (changed) markPathContainer(out);
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
    // Only functions and objects can be (or hold) a continuation: primitives are not stacked.
    for (const child of Array.isArray(v) ? v : Object.values(v)) if ((typeof child === 'object' && child !== null) || typeof child === 'function') stack.push(child);
  }
  return false;
}

function markerFor(continuation: AnyContinuation, memo: MarkerMemo): NestedOperationMarker {
  const markers = (memo.markers ??= new Map());
  let marker = markers.get(continuation);
  if (!marker) {
    marker = createNestedOperation(chainOf(continuation, memo));
    markers.set(continuation, marker);
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
