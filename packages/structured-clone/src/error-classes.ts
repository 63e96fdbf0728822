/**
 * Which constructor an encoded Error revives as (spec §3.7), and `registerErrorClass`.
 * Name-based lookups are allow-listed: a registered class, else a global that really is an Error
 * class, else plain `Error`. The chosen class is only ever used as `new.target` for the built-in
 * `Error` constructor, so no constructor body from a name in the input ever runs.
 */

type ErrorCtor = new (...args: any[]) => Error;

const registry = new Map<string, ErrorCtor>();

function isErrorClass(value: unknown): value is ErrorCtor {
  if (value === Error) return true;
  if (typeof value !== 'function') return false;
  const proto: unknown = (value as { prototype?: unknown }).prototype;
  return typeof proto === 'object' && proto !== null && Object.prototype.isPrototypeOf.call(Error.prototype, proto);
}

/**
 * Registers a custom Error class so that `parse`/`postprocess` revive errors named `name`
 * (default `ctor.name`) as instances of it, without running its constructor.
 *
 * @example registerErrorClass(QuotaError); // later: parse(text) instanceof QuotaError
 */
export function registerErrorClass(ctor: new (...args: any[]) => Error, name?: string): void {
  if (!isErrorClass(ctor)) throw new TypeError('registerErrorClass: the constructor\'s prototype must inherit from Error.prototype');
  const key = name ?? ctor.name;
  if (typeof key !== 'string' || key === '') throw new TypeError('registerErrorClass: pass a non-empty name for an anonymous class');
  registry.set(key, ctor);
}

/** The class an error named `name` revives as. */
export function errorClassFor(name: string): ErrorCtor {
  const registered = registry.get(name);
  if (registered !== undefined) return registered;
  // Read only an own data property of the global: no getter named by the input runs.
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, name);
  const candidate: unknown = descriptor?.value;
  return isErrorClass(candidate) ? candidate : Error;
}
