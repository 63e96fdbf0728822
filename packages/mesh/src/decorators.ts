/**
 * `@mesh`, `@mesh(guard)`, `@mesh.guard(guard)`, `meshFn`, `@result`, `@local`: TC39 standard
 * decorators (never `experimentalDecorators`). Runtime-neutral. See docs/mesh.md#security.
 */
import { addEntryPointMarks, type MeshGuard } from './ocan/entry-points.ts';

/** Any method of `This` (the same constraint TypeScript's own `ClassMethodDecoratorContext` uses). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- mirrors lib.decorators.d.ts; no value is typed any
export type MethodOf<This> = (this: This, ...args: any) => unknown;

/** A TC39 method decorator. */
export type MeshMethodDecorator<T = unknown> = <This extends T, F extends MethodOf<This>>(value: F, context: ClassMethodDecoratorContext<This, F>) => void;

function isDecoratorContext(value: unknown): value is DecoratorContext {
  return typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string';
}

function methodOnly(decorator: string, value: unknown, context: { kind: string; name: string | symbol }): asserts value is (...args: unknown[]) => unknown {
  if (context.kind !== 'method' || typeof value !== 'function') {
    throw new TypeError(`${decorator} can only decorate methods, not a ${context.kind} ('${String(context.name)}')`);
  }
}

function meshDecorator<T>(guard: MeshGuard<T> | undefined): MeshMethodDecorator<T> {
  if (guard !== undefined && typeof guard !== 'function') throw new TypeError('@mesh(guard): guard must be a function (instance) => void');
  return (value, context) => {
    methodOnly('@mesh', value, context);
    addEntryPointMarks(value, { mesh: true, guard: guard as MeshGuard<never> | undefined }, `@mesh on '${String(context.name)}'`);
  };
}

interface MeshDecorator {
  /** Marks a method as an inbound entry point: `@mesh greet() {}`. */
  <This, F extends MethodOf<This>>(value: F, context: ClassMethodDecoratorContext<This, F>): void;
  /** Entry point with a guard that runs first: `@mesh((i: MyDO) => i.requireAdmin()) reset() {}`. */
  <T>(guard: MeshGuard<T>): MeshMethodDecorator<T>;
  /** Same as `@mesh(guard)`: `@mesh.guard((i: MyDO) => i.requireAdmin()) reset() {}`. */
  guard<T>(guard: MeshGuard<T>): MeshMethodDecorator<T>;
}

function meshImpl(valueOrGuard: unknown, context?: unknown): unknown {
  if (isDecoratorContext(context)) {
    meshDecorator(undefined)(valueOrGuard as MethodOf<unknown>, context as ClassMethodDecoratorContext<unknown, MethodOf<unknown>>);
    return undefined;
  }
  return meshDecorator(valueOrGuard as MeshGuard<unknown> | undefined);
}

/**
 * Marks a method as an inbound entry point (the allowlist); `@mesh(guard)` and `@mesh.guard(guard)`
 * add a guard that receives the instance and throws to refuse.
 * @example class Room extends LumenizeDO { @mesh join(name: string) { ... } }
 */
export const mesh: MeshDecorator = Object.assign(meshImpl as MeshDecorator, {
  guard: <T>(guard: MeshGuard<T>) => meshDecorator(guard),
});

/**
 * Marks a standalone function (for example one stored in a nested object) as an inbound entry point.
 * @example tools = { ping: meshFn(() => 'pong') };
 */
export function meshFn<F extends (...args: never[]) => unknown>(fn: F): F {
  if (typeof fn !== 'function') throw new TypeError('meshFn(fn): fn must be a function');
  addEntryPointMarks(fn, { mesh: true }, `meshFn(${fn.name || 'anonymous'})`);
  return fn;
}

/**
 * Declares a method a result handler. Without `@mesh` it is refused as an inbound entry point.
 * @example @result onSaved(value: number | Error) { ... }
 */
export function result<This, F extends MethodOf<This>>(value: F, context: ClassMethodDecoratorContext<This, F>): void {
  methodOnly('@result', value, context);
  addEntryPointMarks(value, { result: true }, `@result on '${String(context.name)}'`);
}

/**
 * Declares a method local-only: never an inbound entry point, never a result/alarm handler target
 * (`call()`/`schedule()` naming it throw). Cannot be combined with `@mesh` or `@result`.
 * @example @local recompute() { ... }
 */
export function local<This, F extends MethodOf<This>>(value: F, context: ClassMethodDecoratorContext<This, F>): void {
  methodOnly('@local', value, context);
  addEntryPointMarks(value, { local: true }, `@local on '${String(context.name)}'`);
}
