/**
 * Error classes registered with structured-clone in two steps, so a bundle that never uses a class
 * leaves its code out (a browser client that only receives such errors):
 * - a stand-in per name (`registerStandIns`, a module-level side effect of a small shells module):
 *   an error of that name arriving from another node revives with the same name, the same built-in
 *   base (`instanceof TypeError` holds) and every field it was sent with; only the constructor's
 *   code is missing, which revival never runs;
 * - the real class (`registered`, a pure call), which replaces its stand-in when it is loaded.
 * A class's module imports its shells module first, so the real class always registers last.
 */
import { registerErrorClass } from '@lumenize/structured-clone';

/** Registers a stand-in class for each `[name, built-in base]`. */
export function registerStandIns(list: ReadonlyArray<readonly [string, ErrorConstructor]>): void {
  // A computed key names the class after the error (`constructor.name`), as the real one is named.
  for (const [name, base] of list) registerErrorClass({ [name]: class extends base {} }[name]!, name);
}

/** Registers `ctor` under its name and returns it (call it under a PURE annotation, so it can be dropped). */
export function registered<T extends Parameters<typeof registerErrorClass>[0]>(ctor: T): T {
  registerErrorClass(ctor);
  return ctor;
}
