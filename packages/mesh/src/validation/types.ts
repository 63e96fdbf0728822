/**
 * The schema kinds `@mesh({ args })`, rpc's `schemaValidators` and MCP tools accept, and the types
 * inferred from them. Runtime-neutral; no validator library is imported (types only).
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';

export type { StandardSchemaV1 };

/**
 * A JSON Schema: a plain object (TypeBox schemas are JSON Schema objects) or `true`/`false`; typed
 * `object` because TypeBox's schema interfaces have no index signature. Checked at runtime (a class
 * instance or an array is refused) by the validator passed to `useJsonSchemaValidator`.
 */
export type JsonSchema = boolean | object;

/** Any schema accepted for one argument or a return value: Standard Schema first, else JSON Schema. */
export type ArgSchema = StandardSchemaV1 | JsonSchema;

/**
 * The value a schema hands to the method: a Standard Schema's output type, a TypeBox schema's
 * `static` type, `unknown` for a raw JSON Schema (no library types to read).
 */
export type SchemaOutput<S> = S extends StandardSchemaV1 ? StandardSchemaV1.InferOutput<S> : S extends { static: infer T } ? T : unknown;

/** The value a schema accepts (Standard Schema input type; TypeBox `static`; else `unknown`). */
export type SchemaInput<S> = S extends StandardSchemaV1 ? StandardSchemaV1.InferInput<S> : S extends { static: infer T } ? T : unknown;

/** The argument tuple a method receives for `args: A`. */
export type SchemaArgs<A extends readonly ArgSchema[]> = { -readonly [K in keyof A]: SchemaOutput<A[K]> };

/**
 * A method parameter as `@mesh({ args })` constrains it: the schema's output, or `never` (no
 * constraint) when the schema carries no type (a raw JSON Schema).
 */
export type SchemaParam<S> = unknown extends SchemaOutput<S> ? never : SchemaOutput<S>;

/** The parameter tuple `@mesh({ args: A })` checks a method's declared parameters against. */
export type SchemaParams<A extends readonly ArgSchema[]> = { -readonly [K in keyof A]: SchemaParam<A[K]> };

/** One problem found by a schema: where (path inside the argument) and what. */
export interface SchemaIssue {
  /** Keys from the argument's root to the offending value; empty for the argument itself. */
  readonly path: readonly (string | number)[];
  readonly message: string;
}
