/** Property helpers the encoder and decoder share. */

/** Writes `value` under `key`, as an own data property even when the key is `__proto__`. */
export function put(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** True when `target` (with its prototype chain) has an enumerable key: for-in sees it. */
export function hasEnumerable(target: object): boolean {
  for (const _ in target) return true;
  return false;
}
