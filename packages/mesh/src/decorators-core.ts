/**
 * `@mesh`, `@mesh(guard)`, `@mesh.guard(guard)`, `meshFn`, `@result`, `@local`: TC39 standard
 * decorators (never `experimentalDecorators`). Runtime-neutral. See docs/mesh.md#security.
 * The schema code of `@mesh({ args, returns })` is supplied by decorators.ts (the server entry) or
 * `@lumenize/mesh/client/validation`, so a browser client that declares no schemas ships none of it.
 */
import { addEntryPointMarks, type MeshGuard } from './ocan/entry-points.ts';
import { registerMethodSchemas, type MethodSchemas, type SchemaSupport } from './validation/registry.ts';
import type { ArgSchema, SchemaInput, SchemaParams } from './validation/types.ts';

let support: SchemaSupport | undefined;

/** Supplies the schema compiler and checks (validation/method-schemas.ts `schemaSupport`). */
export function useSchemaSupport(value: SchemaSupport): void {
  support = value;
}

/** Compiles `args`/`returns` at definition, so a bad schema fails the class and marks nothing. */
function compileSchemas(where: string, method: string, options: { args?: unknown; returns?: unknown } | undefined): MethodSchemas | undefined {
  if (!options || (options.args === undefined && options.returns === undefined)) return undefined;
  if (!support) {
    throw new Error(`${where} declares schemas, but schema validation is not loaded: add import '@lumenize/mesh/client/validation' once in this client (browser bundles leave it out unless asked)`);
  }
  return support.compile(method, options.args, options.returns);
}

function attachSchemas(fn: object, schemas: MethodSchemas | undefined): void {
  if (schemas) registerMethodSchemas(fn, schemas, support!);
}

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

/**
 * `@mesh({ args, returns, guard })`: one schema per argument (Standard Schema or JSON Schema, see
 * docs/mesh.md#validation), an optional schema for the return value, an optional guard.
 */
export interface MeshOptions<T = unknown, A extends readonly ArgSchema[] | undefined = readonly ArgSchema[] | undefined, R extends ArgSchema | undefined = ArgSchema | undefined> {
  /** One schema per argument; arguments are refused before the method runs, extra arguments too. */
  args?: A;
  /** Schema of the (settled) return value; a mismatch reaches the caller as `ReturnValidationError`. */
  returns?: R;
  /** Same as `@mesh(guard)`; runs before the arguments are checked. */
  guard?: MeshGuard<T>;
}

/** What a method must return under `returns: R` (the schema's input; a promise of it for async methods). */
type ReturnFor<R> = [R] extends [undefined] ? unknown : SchemaInput<R> | Promise<SchemaInput<R>>;

/**
 * The decorator `@mesh({ args, returns })` returns: the method's parameters must accept the schemas'
 * outputs (TypeScript reports a mismatch at the decorator).
 */
export type ValidatedMethodDecorator<T, A extends readonly ArgSchema[] | undefined, R extends ArgSchema | undefined> = <
  This extends T,
  F extends [A] extends [readonly ArgSchema[]] ? (this: This, ...args: SchemaParams<A>) => ReturnFor<R> : (this: This, ...args: Parameters<MethodOf<This>>) => ReturnFor<R>,
>(
  value: F,
  context: ClassMethodDecoratorContext<This, F>,
) => void;

const OPTION_KEYS = new Set(['args', 'returns', 'guard']);

function meshDecorator<T>(guard: MeshGuard<T> | undefined, options?: { args?: unknown; returns?: unknown }): MeshMethodDecorator<T> {
  if (guard !== undefined && typeof guard !== 'function') throw new TypeError('@mesh(guard): guard must be a function (instance) => void');
  return (value, context) => {
    methodOnly('@mesh', value, context);
    const name = String(context.name);
    // Compiled before any mark is added: a bad schema fails the class definition and marks nothing.
    const schemas = compileSchemas(`@mesh on '${name}'`, name, options);
    addEntryPointMarks(value, { mesh: true, guard: guard as MeshGuard<never> | undefined }, `@mesh on '${name}'`);
    attachSchemas(value, schemas);
  };
}

function fromOptions(options: object): MeshMethodDecorator<unknown> {
  const proto = Object.getPrototypeOf(options);
  if (Array.isArray(options) || (proto !== Object.prototype && proto !== null)) {
    throw new TypeError('@mesh(...) takes a guard function or an options object { args?, returns?, guard? }');
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) throw new TypeError(`@mesh({ ${key} }): unknown option; expected args, returns or guard`);
  }
  const { guard, args, returns } = options as MeshOptions;
  return meshDecorator(guard, { args, returns });
}

interface MeshDecorator {
  /** Marks a method as an inbound entry point: `@mesh greet() {}`. */
  <This, F extends MethodOf<This>>(value: F, context: ClassMethodDecoratorContext<This, F>): void;
  /** Entry point with a guard that runs first: `@mesh((i: MyDO) => i.requireAdmin()) reset() {}`. */
  <T>(guard: MeshGuard<T>): MeshMethodDecorator<T>;
  /**
   * Entry point whose arguments are checked against schemas before it runs (zod, valibot, arktype,
   * TypeBox, JSON Schema): `@mesh({ args: [z.string().email()] }) invite(email: string) {}`.
   */
  <T = unknown, const A extends readonly ArgSchema[] | undefined = undefined, const R extends ArgSchema | undefined = undefined>(
    options: MeshOptions<T, A, R>,
  ): ValidatedMethodDecorator<T, A, R>;
  /** Same as `@mesh(guard)`: `@mesh.guard((i: MyDO) => i.requireAdmin()) reset() {}`. */
  guard<T>(guard: MeshGuard<T>): MeshMethodDecorator<T>;
}

function meshImpl(valueOrGuard: unknown, context?: unknown): unknown {
  if (isDecoratorContext(context)) {
    meshDecorator(undefined)(valueOrGuard as MethodOf<unknown>, context as ClassMethodDecoratorContext<unknown, MethodOf<unknown>>);
    return undefined;
  }
  if (typeof valueOrGuard === 'object' && valueOrGuard !== null) return fromOptions(valueOrGuard);
  return meshDecorator(valueOrGuard as MeshGuard<unknown> | undefined);
}

/**
 * Marks a method as an inbound entry point (the allowlist); `@mesh(guard)` and `@mesh.guard(guard)`
 * add a guard that receives the instance and throws to refuse; `@mesh({ args, returns, guard })`
 * also checks arguments (and the result) against schemas.
 * @example class Room extends LumenizeDO { @mesh join(name: string) { ... } }
 */
export const mesh: MeshDecorator = Object.assign(meshImpl as MeshDecorator, {
  guard: <T>(guard: MeshGuard<T>) => meshDecorator(guard),
});

/**
 * Marks a standalone function (for example one stored in a nested object) as an inbound entry point;
 * `options` checks its arguments like `@mesh({ args, returns })`.
 * @example tools = { ping: meshFn(() => 'pong'), echo: meshFn((s: string) => s, { args: [z.string()] }) };
 */
export function meshFn<F extends (...args: never[]) => unknown>(fn: F, options?: { args?: readonly ArgSchema[]; returns?: ArgSchema }): F {
  if (typeof fn !== 'function') throw new TypeError('meshFn(fn): fn must be a function');
  const name = fn.name || 'anonymous';
  const schemas = compileSchemas(`meshFn(${name})`, name, options);
  addEntryPointMarks(fn, { mesh: true }, `meshFn(${name})`);
  attachSchemas(fn, schemas);
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
