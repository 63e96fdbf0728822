/**
 * Per-method schemas (`@mesh({ args, returns })`), kept in a registry keyed by the function itself
 * (like the entry-point marks: cannot be forged through data), and the checks the executor runs.
 * The checks are generators: an asynchronous Standard Schema yields its promise, which the async
 * driver awaits and the synchronous driver (transactions, batches) refuses.
 */
import { compileSchema, type CheckOutcome, type CompiledSchema } from './compile.ts';
import { nestsDeeperThan } from './depth.ts';
import { ArgumentValidationError, AsyncSchemaError, ReturnValidationError } from './errors.ts';
import { MAX_VALIDATED_DEPTH } from './limits.ts';
import type { SchemaIssue } from './types.ts';
import { getMethodSchemas, registerMethodSchemas, type MethodSchemas, type SchemaSupport } from './registry.ts';

export { getMethodSchemas, type MethodSchemas };

/** Compiles `args`/`returns` for `method`; throws `TypeError` for a value that is not a schema. */
export function compileMethodSchemas(method: string, args: unknown, returns: unknown): MethodSchemas {
  if (args !== undefined && !Array.isArray(args)) throw new TypeError(`@mesh on '${method}': args must be an array with one schema per argument`);
  return {
    method,
    ...(args ? { args: (args as unknown[]).map((s, i) => compileSchema(s, `argument ${i} of '${method}'`)) } : {}),
    ...(returns !== undefined ? { returns: compileSchema(returns, `return value of '${method}'`) } : {}),
  };
}

/** Attaches schemas to a function (`@mesh` does this at class definition). */
export function setMethodSchemas(fn: object, schemas: MethodSchemas): void {
  registerMethodSchemas(fn, schemas, schemaSupport);
}

const cyclic: SchemaIssue[] = [{ path: [], message: 'too deeply nested or cyclic to validate against its schema' }];

/** Runs one check; a stack overflow inside a validator (recursive schema on cyclic data) is a refusal. */
function runCheck(schema: CompiledSchema, value: unknown): CheckOutcome | Promise<CheckOutcome> {
  if (nestsDeeperThan(value)) return { ok: false, issues: [{ path: [], message: `nested deeper than ${MAX_VALIDATED_DEPTH} levels` }] };
  try {
    const out = schema.check(value);
    return out instanceof Promise ? out.catch((e: unknown) => overflow(e)) : out;
  } catch (error) {
    return overflow(error);
  }
}

function overflow(error: unknown): CheckOutcome {
  if (error instanceof RangeError) return { ok: false, issues: cyclic };
  throw error;
}

type Step = Generator<unknown, unknown, unknown>;

/**
 * Checks `args` against the method's schemas (extra arguments are refused); returns the values to
 * call the method with (Standard Schema outputs: defaults and transforms applied).
 */
export function* checkArgs(schemas: MethodSchemas, args: readonly unknown[]): Step {
  const list = schemas.args;
  if (!list) return args;
  if (args.length > list.length) {
    throw new ArgumentValidationError(schemas.method, list.length, [{ path: [], message: `unexpected argument: '${schemas.method}' takes at most ${list.length}` }]);
  }
  const out: unknown[] = [];
  for (let i = 0; i < list.length; i++) {
    const pending = runCheck(list[i], args[i]);
    const outcome = (pending instanceof Promise ? yield pending : pending) as CheckOutcome;
    if (!outcome.ok) throw new ArgumentValidationError(schemas.method, i, outcome.issues);
    if (i < args.length || outcome.value !== undefined) out[i] = outcome.value;
  }
  return out;
}

/** Checks a method's settled return value against its `returns` schema. */
export function* checkReturn(schemas: MethodSchemas, value: unknown): Step {
  if (!schemas.returns) return value;
  const pending = runCheck(schemas.returns, value);
  const outcome = (pending instanceof Promise ? yield pending : pending) as CheckOutcome;
  if (!outcome.ok) throw new ReturnValidationError(schemas.method, outcome.issues);
  return outcome.value;
}

/** Runs a check generator synchronously: an asynchronous schema throws {@link AsyncSchemaError}. */
export function runSync<T>(step: Step, where: string): T {
  let next = step.next();
  while (!next.done) {
    const pending = next.value;
    if (pending instanceof Promise) {
      pending.catch(() => {});
      throw new AsyncSchemaError(where);
    }
    next = step.next(pending);
  }
  return next.value as T;
}

/**
 * Runs a check generator, awaiting an asynchronous schema.
 * @example const values = await runAsync(checkArgs(schemas, args));
 */
export async function runAsync<T>(step: Step): Promise<T> {
  let next = step.next();
  while (!next.done) next = step.next(await next.value);
  return next.value as T;
}

/** What the decorators and the executor use to compile and check schemas (validation/registry.ts). */
export const schemaSupport: SchemaSupport = { compile: compileMethodSchemas, checkArgs, checkReturn };
