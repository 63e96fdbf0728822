/**
 * JSON Schema support without a hard dependency: the app passes in a validator class with the
 * `@cfworker/json-schema` shape (`new Validator(schema, draft, shortCircuit).validate(value)`), which
 * interprets schemas without `eval` and so runs on Workers. Process-wide, like the NADIS registry.
 */
import { JsonSchemaValidatorMissingError } from './errors.ts';
import type { JsonSchema, SchemaIssue } from './types.ts';

/** What `validate` returns: cfworker's `ValidationResult` shape. */
export interface JsonSchemaResult {
  readonly valid: boolean;
  readonly errors: readonly { readonly instanceLocation: string; readonly error: string; readonly keyword?: string }[];
}

/** A JSON Schema validator class with the `@cfworker/json-schema` constructor and `validate`. */
export type JsonSchemaValidatorClass = new (
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- cfworker types its schema parameter as its own Schema interface
  schema: any,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- cfworker's SchemaDraft union
  draft?: any,
  shortCircuit?: boolean,
) => { validate(value: unknown): JsonSchemaResult };

/** Options of {@link useJsonSchemaValidator}. */
export interface JsonSchemaOptions {
  /** JSON Schema draft, passed to the validator: `'2019-09'` (default; TypeBox's array-form tuples), `'2020-12'`, `'7'`, `'4'`. */
  draft?: '4' | '7' | '2019-09' | '2020-12';
}

let installed: { Validator: JsonSchemaValidatorClass; draft: string } | undefined;

/**
 * Installs the JSON Schema validator used for every JSON Schema (TypeBox included) in `@mesh({ args })`,
 * rpc's `schemaValidators` and MCP tools. Call once at startup.
 * @example import { Validator } from '@cfworker/json-schema'; useJsonSchemaValidator(Validator);
 */
export function useJsonSchemaValidator(Validator: JsonSchemaValidatorClass, options: JsonSchemaOptions = {}): void {
  if (typeof Validator !== 'function') throw new TypeError('useJsonSchemaValidator(Validator): pass the Validator class of @cfworker/json-schema');
  installed = { Validator, draft: options.draft ?? '2019-09' };
}

/** JSON pointer `#/a/0/b~1c` → `['a', 0, 'b/c']`. */
function pointerToPath(location: string): (string | number)[] {
  const body = location.startsWith('#') ? location.slice(1) : location;
  if (body === '' || body === '/') return [];
  return body
    .slice(1)
    .split('/')
    .map((part) => {
      const key = decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~');
      return /^(0|[1-9]\d*)$/.test(key) ? Number(key) : key;
    });
}

/**
 * Compiles one JSON Schema into a synchronous check returning its issues (empty when valid), deepest
 * location first: cfworker reports the failing leaf and then each enclosing keyword up to the root.
 * The validator is looked up when the check first runs, so import order does not matter.
 */
export function compileJsonSchema(schema: JsonSchema, where: string): (value: unknown) => SchemaIssue[] {
  let validate: ((value: unknown) => JsonSchemaResult) | undefined;
  return (value) => {
    if (!validate) {
      if (!installed) throw new JsonSchemaValidatorMissingError(where);
      const v = new installed.Validator(schema, installed.draft, true);
      validate = (x) => v.validate(x);
    }
    const result = validate(value);
    if (result.valid) return [];
    const issues = result.errors.map((e) => ({ path: pointerToPath(e.instanceLocation), message: e.error }));
    return issues.sort((a, b) => b.path.length - a.path.length);
  };
}
