/**
 * Result flattening before encoding (spec §3.5): functions become function slots (the client turns
 * them into callables that re-derive the value from the DO), class instances (RpcTarget included) and
 * host objects become plain copies of their own enumerable data, prototype methods and getter values
 * (a throwing getter is omitted), `constructor` excluded. Arrays and plain objects keep their shape;
 * cycles and aliases are kept (one copy per original object).
 */
import { RequestSync, ResponseSync } from '@lumenize/structured-clone';
import type { FunctionSlot } from '../wire.ts';
import { FLATTEN_MAX_DEPTH } from '../limits.ts';

const BUILTINS: (abstract new (...a: never[]) => unknown)[] = [Map, Set, Date, RegExp, Error, ArrayBuffer, DataView, Boolean, Number, String, RequestSync, ResponseSync];
for (const name of ['Headers', 'URL', 'Blob', 'ReadableStream', 'WritableStream', 'TransformStream', 'WeakMap', 'WeakSet', 'Request', 'Response', 'SharedArrayBuffer']) {
  const ctor = (globalThis as Record<string, unknown>)[name];
  if (typeof ctor === 'function') BUILTINS.push(ctor as abstract new () => unknown);
}

/** Values the encoder handles (or refuses with a clear error) on its own. */
function isEncoderType(v: object): boolean {
  if (ArrayBuffer.isView(v)) return true;
  return BUILTINS.some((ctor) => v instanceof ctor);
}

function isPlain(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** A platform value that cannot be copied meaningfully (a Workers RPC stub or promise). */
export class UnserializableResultError extends TypeError {
  override name = 'UnserializableResultError';
}

/** Workers RPC stubs and promises are host objects tagged by the runtime (a DO stub is `[object DurableObject]`). */
const STUB_TAGS = /^\[object (DurableObject|DurableObjectStub|DurableObjectNamespace|Fetcher|RpcStub|RpcPromise|RpcProperty|WorkerEntrypoint|ServiceStub)\]$/;

function stubName(v: object): string | undefined {
  const m = STUB_TAGS.exec(Object.prototype.toString.call(v));
  return m ? m[1] : undefined;
}

function isRpcStub(v: object): boolean {
  return stubName(v) !== undefined;
}

/** Whether flattening changes anything below `v` (functions, class instances, host objects). */
function needsFlatten(v: unknown, memo: Map<object, boolean>, depth: number): boolean {
  if (typeof v === 'function') return true;
  if (typeof v !== 'object' || v === null) return false;
  const known = memo.get(v);
  if (known !== undefined) return known;
  if (depth > FLATTEN_MAX_DEPTH || isEncoderType(v)) return false;
  if (!Array.isArray(v) && !isPlain(v)) return true;
  memo.set(v, false);
  let result = false;
  for (const key of Object.keys(v)) {
    let x: unknown;
    try {
      x = (v as Record<string, unknown>)[key];
    } catch {
      result = true;
      break;
    }
    if (needsFlatten(x, memo, depth + 1)) {
      result = true;
      break;
    }
  }
  memo.set(v, result);
  return result;
}

export function flattenResult(value: unknown): { value: unknown; fns: FunctionSlot[] } {
  const fns: FunctionSlot[] = [];
  const copies = new Map<object, unknown>();
  const memo = new Map<object, boolean>();
  const walk = (v: unknown, path: (string | number)[], depth: number): unknown => {
    // Subtrees without functions or class instances stay the original objects (identity for Map/Set keys).
    if (typeof v === 'object' && v !== null && !copies.has(v) && !needsFlatten(v, memo, depth)) return v;
    if (typeof v === 'function') {
      if (isRpcStub(v)) throw new UnserializableResultError(`RPC result is not serializable: a Workers RPC stub (${stubName(v)}) cannot be returned over RPC; call a method on it in the same chain instead`);
      fns.push([path, typeof v.name === 'string' && v.name ? v.name.replace(/^bound /, '') : 'anonymous']);
      return null;
    }
    if (typeof v !== 'object' || v === null) return v;
    const done = copies.get(v);
    if (done !== undefined) return done;
    if (depth > FLATTEN_MAX_DEPTH || isEncoderType(v)) return v;
    if (isRpcStub(v)) throw new UnserializableResultError(`RPC result is not serializable: a Workers RPC stub (${stubName(v)}) cannot be returned over RPC; call a method on it in the same chain instead`);
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      copies.set(v, out);
      for (let i = 0; i < v.length; i++) out.push(walk(v[i], [...path, i], depth + 1));
      return out;
    }
    const out: Record<string, unknown> = {};
    copies.set(v, out);
    const put = (key: string, x: unknown) => Object.defineProperty(out, key, { value: walk(x, [...path, key], depth + 1), enumerable: true, writable: true, configurable: true });
    for (const key of Object.keys(v)) {
      let x: unknown;
      try {
        x = (v as Record<string, unknown>)[key];
      } catch {
        continue;
      }
      put(key, x);
    }
    if (isPlain(v)) return out;
    // Class instance or host object: add prototype methods and getter values, nearest definition wins.
    for (let p = Object.getPrototypeOf(v) as object | null; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
      for (const key of Object.getOwnPropertyNames(p)) {
        if (key === 'constructor' || Object.hasOwn(out, key)) continue;
        const d = Object.getOwnPropertyDescriptor(p, key)!;
        let x: unknown;
        if ('value' in d) x = d.value;
        else if (d.get) {
          try {
            x = Reflect.apply(d.get, v, []);
          } catch {
            continue;
          }
        } else continue;
        put(key, x);
      }
    }
    return out;
  };
  return { value: walk(value, [], 0), fns };
}
