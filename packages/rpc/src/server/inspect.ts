/**
 * `__asObject()` (spec §3.6): a plain copy of the DO where every function is `"<name> [Function]"`,
 * nested objects (ctx, storage, sql, kv, env bindings) are walked and getter values are read. Under
 * `'methods'` only reachable members appear.
 */
import { INSPECT_MAX_DEPTH } from '../limits.ts';
import { isReachableKey, isUserMember } from './access.ts';

function fnString(fn: Function): string {
  const name = typeof fn.name === 'string' && fn.name ? fn.name.replace(/^bound /, '') : 'anonymous';
  return `${name} [Function]`;
}

function isWalkable(v: object): boolean {
  if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer || v instanceof Date || v instanceof RegExp || v instanceof Map || v instanceof Set || v instanceof Error) return false;
  return true;
}

/** Member names of `v`: own keys then prototype members below Object.prototype. */
function memberNames(v: object): string[] {
  const names = new Set<string>(Object.keys(v));
  for (let p = Object.getPrototypeOf(v) as object | null; p !== null && p !== Object.prototype && p !== Function.prototype; p = Object.getPrototypeOf(p)) {
    for (const key of Object.getOwnPropertyNames(p)) if (key !== 'constructor') names.add(key);
  }
  return [...names];
}

export function inspectObject(instance: object, access: 'methods' | 'full'): Record<string, unknown> {
  const seen = new Map<object, unknown>();
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'function') return fnString(v);
    if (typeof v !== 'object' || v === null) return v;
    if (!isWalkable(v)) return v;
    const done = seen.get(v);
    if (done !== undefined) return done;
    if (depth >= INSPECT_MAX_DEPTH) return '[Object]';
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      seen.set(v, out);
      for (const item of v) out.push(walk(item, depth + 1));
      return out;
    }
    const out: Record<string, unknown> = {};
    seen.set(v, out);
    for (const key of memberNames(v)) {
      if (!isReachableKey(key, access)) continue;
      if (depth === 0 && access === 'methods' && !isUserMember(instance, key)) continue;
      let x: unknown;
      try {
        x = Reflect.get(v, key);
      } catch {
        continue;
      }
      Object.defineProperty(out, key, { value: walk(x, depth + 1), enumerable: true, writable: true, configurable: true });
    }
    return out;
  };
  return walk(instance, 0) as Record<string, unknown>;
}
