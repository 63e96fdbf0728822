/**
 * Checks on handler continuations (result, alarm and pub/sub handlers). Runtime-neutral.
 */
import { getEntryPointMarks } from './ocan/entry-points.ts';
import type { OperationChain } from './ocan/types.ts';

/**
 * Throws when the method a handler chain calls first is `@local` (never a handler target) or when
 * the chain calls nothing. Reads the property path on `target` up to that call.
 */
export function assertHandlerTarget(chain: OperationChain, target: object, what: string): void {
  let current: unknown = target;
  let name = '(anonymous)';
  for (const op of chain) {
    if (op.type === 'apply') {
      if (getEntryPointMarks(current)?.local) throw new TypeError(`${what} '${name}' is @local: it cannot be a result, alarm or subscription handler`);
      return;
    }
    name = String(op.key);
    current = current === null || current === undefined ? undefined : (current as Record<string | number, unknown>)[op.key];
  }
  throw new TypeError(`${what} must call a method, e.g. this.ctn().onResult(this.ctn().$result)`);
}

/** The name of the first method a chain calls (for messages and logs). */
export function entryName(chain: OperationChain): string {
  let name = '(anonymous)';
  for (const op of chain) {
    if (op.type === 'apply') return name;
    name = String(op.key);
  }
  return name;
}
