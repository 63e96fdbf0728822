/**
 * The object a batch's chains run against. Reads go to the real instance (its getters see the real
 * `this`, so `#private` works); functions read from it are bound to the instance, wrapped with the
 * method's `validators` entry when there is one (its returned array, if any, replaces the arguments). `env` is seen through a membrane that records every
 * disposable Workers RPC value (stubs, RPC results) met on the way, disposed when the batch completes.
 */
import { debug } from '@lumenize/debug';
import type { RpcValidator } from '../types.ts';

const log = debug('lmz.rpc.server');

export interface BatchRoot {
  root: object;
  /** Disposes every RPC stub and result met while walking `env.*` chains. */
  dispose(): void;
}

function isObjectLike(v: unknown): v is object {
  return (typeof v === 'object' && v !== null) || typeof v === 'function';
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return isObjectLike(v) && typeof (v as { then?: unknown }).then === 'function';
}

function disposer(v: unknown): (() => void) | undefined {
  if (!isObjectLike(v)) return undefined;
  let d: unknown;
  try {
    d = (v as { [Symbol.dispose]?: unknown })[Symbol.dispose];
  } catch {
    return undefined;
  }
  return typeof d === 'function' ? () => (d as () => void).call(v) : undefined;
}

export function createBatchRoot(instance: object, validators: Record<string, RpcValidator> | undefined): BatchRoot {
  const disposables: (() => void)[] = [];
  const wrapped = new WeakMap<object, object>();

  const track = (v: unknown): void => {
    const d = disposer(v);
    if (d) disposables.push(d);
  };

  // Everything reached from env is seen through the membrane. Functions become plain functions bound
  // to their real receiver: a method read from a Workers RPC stub is a thenable RpcProperty, which the
  // executor would otherwise await (fetching the property) instead of calling it.
  const fnCache = new WeakMap<object, Map<PropertyKey, unknown>>();
  const settle = (value: unknown): unknown => {
    track(value);
    return isHostObject(value) ? membrane(value) : value;
  };
  const wrapFn = (target: object, key: PropertyKey, fn: (...a: unknown[]) => unknown): unknown => {
    let perTarget = fnCache.get(target);
    if (!perTarget) fnCache.set(target, (perTarget = new Map()));
    const hit = perTarget.get(key);
    if (hit) return hit;
    const wrapper = (...args: unknown[]) => {
      const result = Reflect.apply(fn, target, args);
      track(result);
      return isThenable(result) ? Promise.resolve(result).then(settle) : settle(result);
    };
    Object.defineProperty(wrapper, 'name', { value: typeof key === 'string' ? key : 'anonymous' });
    perTarget.set(key, wrapper);
    return wrapper;
  };
  const membrane = (v: unknown): unknown => {
    if (!isObjectLike(v)) return v;
    const hit = wrapped.get(v);
    if (hit) return hit;
    const proxy = new Proxy(v, {
      get(target, key) {
        const value = Reflect.get(target, key, target);
        if (typeof key === 'symbol' || key === 'then') return value;
        if (typeof value === 'function') return wrapFn(target, key, value as (...a: unknown[]) => unknown);
        return isHostObject(value) ? membrane(value) : value;
      },
    });
    wrapped.set(v, proxy);
    return proxy;
  };

  const bound = new Map<PropertyKey, unknown>();
  const root = new Proxy(instance, {
    get(target, key) {
      if (key === 'env') return membrane(Reflect.get(target, key, target));
      const value = Reflect.get(target, key, target);
      if (typeof value !== 'function' || typeof key === 'symbol') return value;
      const cached = bound.get(key);
      if (cached && (cached as { __target?: unknown }).__target === value) return cached;
      const check = validators && Object.hasOwn(validators, key) ? validators[key] : undefined;
      const fn = check
        ? function (this: unknown, ...args: unknown[]) {
            // A validator's returned array is the schema output (defaults, transforms): the method gets it.
            const checked = check(args);
            return Reflect.apply(value as (...a: unknown[]) => unknown, target, Array.isArray(checked) ? checked : args);
          }
        : (value as (...a: unknown[]) => unknown).bind(target);
      Object.defineProperty(fn, '__target', { value });
      bound.set(key, fn);
      return fn;
    },
  });

  return {
    root,
    dispose() {
      for (const d of disposables.splice(0)) {
        try {
          d();
        } catch (error) {
          log.debug('stub dispose failed', { error: String(error) });
        }
      }
    },
  };
}

/** Bindings, stubs and other platform objects (not arrays, plain objects or encodable values). */
function isHostObject(v: unknown): v is object {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) return false;
  return !(v instanceof Map || v instanceof Set || v instanceof Date || v instanceof RegExp || v instanceof Error || ArrayBuffer.isView(v) || v instanceof ArrayBuffer);
}
