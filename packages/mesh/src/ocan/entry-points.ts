/**
 * The registry behind `@mesh`, `meshFn`, `@result` and `@local`: which functions are inbound entry
 * points, their guards, and handler intent. Keyed by the function object itself, so marks cannot be
 * forged through data and need no property on the function.
 */

/** A guard that runs before a `@mesh` method, with the instance as argument; throw to refuse. */
export type MeshGuard<T> = (instance: T) => void | Promise<void>;

/** What the decorators recorded about one function. */
export interface EntryPointMarks {
  /** `@mesh` method or `meshFn` function: an inbound entry point. */
  mesh?: boolean;
  /** Guard added by `@mesh(guard)` / `@mesh.guard(guard)`. */
  guard?: MeshGuard<never>;
  /** `@result`: intended as a result handler. */
  result?: boolean;
  /** `@local`: never an entry point, never a handler target. */
  local?: boolean;
}

const marks = new WeakMap<object, EntryPointMarks>();

/** The marks of a function, if any. */
export function getEntryPointMarks(fn: unknown): EntryPointMarks | undefined {
  return typeof fn === 'function' ? marks.get(fn) : undefined;
}

/** Adds marks to a function, enforcing the combination rules (`@local` excludes `@mesh`/`@result`). */
export function addEntryPointMarks(fn: object, add: EntryPointMarks, label: string): void {
  const current = marks.get(fn) ?? {};
  const next: EntryPointMarks = { ...current, ...add };
  if (add.guard === undefined && current.guard) next.guard = current.guard;
  if (next.local && (next.mesh || next.result)) {
    throw new TypeError(`${label}: @local cannot be combined with ${next.mesh ? '@mesh' : '@result'} (a @local method is never called from outside)`);
  }
  marks.set(fn, next);
}
