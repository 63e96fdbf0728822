/**
 * Field writes for instrumented DOs: RPC proxies only read and call, so the instrumentation adds
 * one method, `__set(path, value)`, that assigns an instance field (or a nested property).
 */
import type { DOClass } from './virtual-alarms.ts';

/** Keys that would reach the prototype chain instead of state. */
const BLOCKED = new Set(['__proto__', 'constructor', 'prototype']);

/** What instrumented DOs add to a testing client's type. */
export interface TestingClientExtras {
  /**
   * Assigns `value` at `path` on the DO instance (`'label'` or `['config', 'limit']`).
   * @example await client.__set('label', 'changed');
   */
  __set(path: string | ReadonlyArray<string | number>, value: unknown): Promise<void>;
}

/** Subclass of `DOClass` with `__set`; same `name`. */
export function withFieldWrites<T extends DOClass>(DOClass: T): T {
  const Wrapped = class extends DOClass {
    __set(path: string | ReadonlyArray<string | number>, value: unknown): void {
      const keys = typeof path === 'string' ? [path] : [...path];
      if (keys.length === 0 || keys.some((k) => (typeof k !== 'string' && typeof k !== 'number') || BLOCKED.has(String(k)))) {
        throw new TypeError(`__set(path): path must be a non-empty key or key list without __proto__/constructor/prototype, got ${JSON.stringify(path)}`);
      }
      let target = this as unknown as Record<string | number, unknown>;
      for (const key of keys.slice(0, -1)) {
        const next = target[key];
        if (typeof next !== 'object' || next === null) throw new TypeError(`__set(path): '${String(key)}' of ${JSON.stringify(path)} is not an object`);
        target = next as Record<string | number, unknown>;
      }
      target[keys.at(-1)!] = value;
    }
  };
  Object.defineProperty(Wrapped, 'name', { value: DOClass.name });
  return Wrapped;
}
