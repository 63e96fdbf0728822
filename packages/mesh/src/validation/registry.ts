/**
 * Where per-method schemas live, kept apart from the code that compiles and checks them: the
 * executor and the decorators import only this file, so a bundle whose classes declare no schemas
 * (a browser client) carries none of the validation code. The code arrives with the schemas: a
 * function gets schemas only through {@link registerMethodSchemas}, called with the support that
 * compiled them (validation/method-schemas.ts).
 */
import type { CompiledSchema } from './compile.ts';

/** The compiled schemas of one method. */
export interface MethodSchemas {
  readonly method: string;
  readonly args?: readonly CompiledSchema[];
  readonly returns?: CompiledSchema;
}

/** A check run by the executor: yields the promise of an asynchronous schema, returns the checked value. */
export type SchemaStep = Generator<unknown, unknown, unknown>;

/** Compiling and checking, supplied by validation/method-schemas.ts. */
export interface SchemaSupport {
  compile(method: string, args: unknown, returns: unknown): MethodSchemas;
  checkArgs(schemas: MethodSchemas, args: readonly unknown[]): SchemaStep;
  checkReturn(schemas: MethodSchemas, value: unknown): SchemaStep;
}

interface Registered {
  readonly schemas: MethodSchemas;
  readonly support: SchemaSupport;
}

const registry = new WeakMap<object, Registered>();

/** Attaches schemas to a function (`@mesh` does this at class definition), with the code that checks them. */
export function registerMethodSchemas(fn: object, schemas: MethodSchemas, support: SchemaSupport): void {
  registry.set(fn, { schemas, support });
}

/** The schemas attached to `fn` and their checks, if any. */
export function registeredSchemas(fn: unknown): Registered | undefined {
  return typeof fn === 'function' ? registry.get(fn) : undefined;
}

/** The schemas attached to `fn`, if any. */
export function getMethodSchemas(fn: unknown): MethodSchemas | undefined {
  return registeredSchemas(fn)?.schemas;
}
