/**
 * Nested-operation markers that no data value can forge. A marker is an instance of a private class
 * (checked by its `#brand`), made only by `getOperationChain` (from `this.ctn()` arguments) and by the
 * chain decoder (from a chain's out-of-band `nested` list). A result, a published value, a stored row
 * or an argument of any shape — `{ __isNestedOperation: true, ... }` included — is data: it never runs.
 */
import type { NestedOperationMarker, OperationChain } from './types.ts';

class NestedOperation implements NestedOperationMarker {
  #brand = true;
  readonly __isNestedOperation = true as const;
  readonly __operationChain?: OperationChain;
  readonly __refId?: string;

  constructor(chain: OperationChain | undefined, refId: string | undefined) {
    if (chain !== undefined) this.__operationChain = chain;
    if (refId !== undefined) this.__refId = refId;
    Object.freeze(this);
  }

  static is(value: unknown): value is NestedOperation {
    return typeof value === 'object' && value !== null && #brand in value;
  }
}

/** Internal: a branded marker. Only the continuation recorder and the chain decoder call this. */
export function createNestedOperation(chain: OperationChain | undefined, refId?: string): NestedOperationMarker {
  return new NestedOperation(chain, refId);
}

/**
 * True only for markers made by this module (from `this.ctn()` or decoded from a chain's `nested`
 * list); a look-alike plain object is data and returns false.
 * @example isNestedOperationMarker({ __isNestedOperation: true }) // false: data, not a marker
 */
export function isNestedOperationMarker(value: unknown): value is NestedOperationMarker {
  return NestedOperation.is(value);
}

/** Arrays and plain objects that lie on the way from a call's arguments to a marker. */
const pathContainers = new WeakSet<object>();
/** Argument lists whose listed positions hold a substituted result (data, even a marker-shaped one). */
const literalSlots = new WeakMap<readonly unknown[], ReadonlySet<number>>();

/** Internal: records that `container` holds a marker somewhere below it. */
export function markPathContainer(container: object): void {
  pathContainers.add(container);
}

/** True when `value` is a container recorded on the way to a marker (others are never walked). */
export function leadsToMarker(value: unknown): value is Record<string, unknown> | unknown[] {
  return typeof value === 'object' && value !== null && pathContainers.has(value);
}

/** Whether any of `args` is a marker or a container recorded on the way to one (no walk needed otherwise). */
export function holdsMarker(args: readonly unknown[]): boolean {
  for (let i = 0; i < args.length; i++) if (NestedOperation.is(args[i]) || leadsToMarker(args[i])) return true;
  return false;
}

/** Internal: positions of `args` that hold a substituted result. */
export function markLiteralSlots(args: readonly unknown[], slots: ReadonlySet<number>): void {
  literalSlots.set(args, slots);
}

/** Whether position `index` of `args` holds a substituted result. */
export function isLiteralSlot(args: readonly unknown[], index: number): boolean {
  return literalSlots.get(args)?.has(index) ?? false;
}
