/**
 * `RpcConfig.validators` from schemas. Two forms:
 * - `schemaValidators({ add: [z.number(), Type.Number()] })`: the mesh's validation mechanism
 *   (docs/mesh.md#validation): Standard Schema (zod, valibot, arktype …) or JSON Schema (TypeBox
 *   included, checked by the validator installed with `useJsonSchemaValidator`), auto-detected; a
 *   refusal is mesh's `ArgumentValidationError` (method, argument index, path).
 * - `schemaValidators(check, schemas)`: any `Check(schema, value)`-style boolean checker (TypeBox
 *   `Value.Check`, a JSON-Schema validator's check) without depending on either; refusals are
 *   `RpcArgumentError`.
 */
import { checkArgs, compileMethodSchemas, runSync, type ArgSchema } from '@lumenize/mesh/client';
import type { RpcValidator } from '../types.ts';

/** An argument refused by a validator built with the `check` form of {@link schemaValidators}. */
export class RpcArgumentError extends TypeError {
  override name = 'RpcArgumentError';
  readonly code = 'INVALID_ARGUMENT';
}

type Validators = Record<string, RpcValidator>;

/**
 * One validator per method from schemas: argument `i` must pass `schemas[method][i]`; extra arguments
 * are refused. rpc validators run synchronously: an asynchronous schema fails with `AsyncSchemaError`.
 * Each validator returns the schema outputs (defaults, transforms).
 * @example validators: schemaValidators({ add: [z.number(), z.number()] })
 */
export function schemaValidators(schemas: Record<string, readonly ArgSchema[]>): Validators;
/**
 * One validator per method from a boolean checker.
 * @example validators: schemaValidators((s, v) => Value.Check(s, v), { add: [Type.Number(), Type.Number()] })
 */
export function schemaValidators<S>(check: (schema: S, value: unknown) => boolean, schemas: Record<string, readonly S[]>): Validators;
export function schemaValidators<S>(checkOrSchemas: ((schema: S, value: unknown) => boolean) | Record<string, readonly ArgSchema[]>, maybe?: Record<string, readonly S[]>): Validators {
  if (typeof checkOrSchemas !== 'function') return fromSchemas(checkOrSchemas);
  const check = checkOrSchemas;
  const out: Validators = {};
  for (const [method, list] of Object.entries(maybe ?? {})) {
    out[method] = (args) => {
      if (args.length > list.length) throw new RpcArgumentError(`${method}: expected at most ${list.length} arguments, got ${args.length}`);
      list.forEach((schema, i) => {
        if (!check(schema, args[i])) throw new RpcArgumentError(`${method}: argument ${i} does not match its schema`);
      });
    };
  }
  return out;
}

function fromSchemas(schemas: Record<string, readonly ArgSchema[]>): Validators {
  if (typeof schemas !== 'object' || schemas === null) throw new TypeError('schemaValidators(schemas): pass { method: [schema, ...] }');
  const out: Validators = {};
  for (const [method, list] of Object.entries(schemas)) {
    // Compiled now, so a value that is not a schema fails at configuration, not at the first call.
    const compiled = compileMethodSchemas(method, list, undefined);
    out[method] = (args) => runSync<unknown[]>(checkArgs(compiled, args), `a schema of '${method}'`);
  }
  return out;
}
