/**
 * Auto-detection and compilation of one schema: a Standard Schema (zod, valibot, arktype …: an
 * object or function with `~standard.validate`) or else a JSON Schema (a plain object or a boolean;
 * TypeBox schemas are plain objects). Anything else is refused when the schema is declared.
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { compileJsonSchema } from './json-schema.ts';
import { MAX_ISSUES, MAX_ISSUE_MESSAGE } from './limits.ts';
import type { ArgSchema, JsonSchema, SchemaIssue } from './types.ts';

/** Outcome of one check: the value to hand on (a Standard Schema's output) or the issues. */
export type CheckOutcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly issues: SchemaIssue[] };

/** A compiled schema. `check` returns a promise only for an asynchronous Standard Schema. */
export interface CompiledSchema {
  readonly kind: 'standard' | 'json';
  readonly source: ArgSchema;
  check(value: unknown): CheckOutcome | Promise<CheckOutcome>;
}

/** True for a Standard Schema v1 (`~standard.version === 1` with a `validate` function). */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  const props = (value as { '~standard'?: unknown })['~standard'];
  return typeof props === 'object' && props !== null && (props as { version?: unknown }).version === 1 && typeof (props as { validate?: unknown }).validate === 'function';
}

/** True for what is treated as a JSON Schema: a boolean or a plain (non-array) object. */
export function isJsonSchema(value: unknown): value is JsonSchema {
  if (typeof value === 'boolean') return true;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function clip(message: unknown): string {
  const text = typeof message === 'string' && message !== '' ? message : 'refused by its schema';
  return text.length > MAX_ISSUE_MESSAGE ? `${text.slice(0, MAX_ISSUE_MESSAGE)}…` : text;
}

function pathKey(segment: unknown): string | number {
  const key = typeof segment === 'object' && segment !== null ? (segment as { key?: unknown }).key : segment;
  return typeof key === 'number' ? key : String(key);
}

function standardIssues(issues: readonly StandardSchemaV1.Issue[]): SchemaIssue[] {
  return issues.slice(0, MAX_ISSUES).map((i) => ({ path: (i.path ?? []).map(pathKey), message: clip(i.message) }));
}

function fromStandard(result: StandardSchemaV1.Result<unknown>): CheckOutcome {
  return result.issues ? { ok: false, issues: standardIssues(result.issues) } : { ok: true, value: result.value };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * Compiles `schema`; `where` names it in errors (`argument 0 of 'add'`). Throws `TypeError` at
 * declaration for something that is neither kind.
 */
export function compileSchema(schema: unknown, where: string): CompiledSchema {
  if (isStandardSchema(schema)) {
    const validate = schema['~standard'].validate;
    return {
      kind: 'standard',
      source: schema,
      check(value) {
        const result = validate(value);
        return isThenable(result) ? Promise.resolve(result).then(fromStandard) : fromStandard(result);
      },
    };
  }
  if (isJsonSchema(schema)) {
    const run = compileJsonSchema(schema, where);
    return {
      kind: 'json',
      source: schema,
      check(value) {
        const issues = run(value);
        return issues.length === 0 ? { ok: true, value } : { ok: false, issues: issues.slice(0, MAX_ISSUES).map((i) => ({ path: i.path, message: clip(i.message) })) };
      },
    };
  }
  const kind = schema === null ? 'null' : Array.isArray(schema) ? 'an array' : typeof schema;
  throw new TypeError(`${where}: expected a Standard Schema (zod, valibot, arktype …) or a JSON Schema object, got ${kind}`);
}
