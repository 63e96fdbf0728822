/**
 * The classes of argument and return-value validation errors. Import them from errors.ts, which
 * registers each with structured-clone (this module has no side effects, so a bundle that never
 * uses a class leaves its code out).
 */
import type { SchemaIssue } from './types.ts';

/** `path` as shown in messages: `user.tags[2]`. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out === '' ? key : `.${key}`;
  return out;
}

/** The issue a message names (a schema that reported none still gets a message). */
function firstIssue(issues: readonly SchemaIssue[]): SchemaIssue {
  return issues[0] ?? { path: [], message: 'refused by its schema' };
}

/** ` at 'user.tags[2]'`, or nothing for the value itself. */
function where(issue: SchemaIssue): string {
  return issue.path.length > 0 ? ` at '${formatPath(issue.path)}'` : '';
}

/** Issues as plain data of our own (the schema library's objects are not kept). */
function copyIssues(issues: readonly SchemaIssue[]): SchemaIssue[] {
  return issues.map((i) => ({ path: [...i.path], message: i.message }));
}

/**
 * An argument was refused by its schema before the method ran (nothing ran, nothing was stored).
 * @example if (e instanceof ArgumentValidationError) show(e.method, e.argIndex, e.path);
 */
export class ArgumentValidationError extends TypeError {
  readonly code = 'INVALID_ARGUMENT';
  /** The method whose argument was refused. */
  method: string;
  /** Zero-based index of the refused argument. */
  argIndex: number;
  /** Path inside the argument of the first issue (`[]` for the argument itself). */
  path: (string | number)[];
  /** Every issue the schema reported (bounded, see MAX_ISSUES). */
  issues: SchemaIssue[];
  constructor(method: string, argIndex: number, issues: readonly SchemaIssue[]) {
    const first = firstIssue(issues);
    super(`Invalid argument ${argIndex} of '${method}'${where(first)}: ${first.message}`);
    this.name = 'ArgumentValidationError';
    this.method = method;
    this.argIndex = argIndex;
    this.path = [...first.path];
    this.issues = copyIssues(issues);
  }
}

/**
 * A method's return value did not match its `returns` schema; the caller gets this instead of the value.
 * @example @mesh({ returns: z.number() }) total() { ... }
 */
export class ReturnValidationError extends TypeError {
  readonly code = 'INVALID_RETURN';
  method: string;
  path: (string | number)[];
  issues: SchemaIssue[];
  constructor(method: string, issues: readonly SchemaIssue[]) {
    const first = firstIssue(issues);
    super(`Invalid return value of '${method}'${where(first)}: ${first.message}`);
    this.name = 'ReturnValidationError';
    this.method = method;
    this.path = [...first.path];
    this.issues = copyIssues(issues);
  }
}

/**
 * A JSON Schema was declared but no JSON Schema validator was installed with `useJsonSchemaValidator`.
 * @example import { Validator } from '@cfworker/json-schema'; useJsonSchemaValidator(Validator);
 */
export class JsonSchemaValidatorMissingError extends Error {
  readonly code = 'JSON_SCHEMA_VALIDATOR_MISSING';
  constructor(where: string) {
    super(
      `${where} is a JSON Schema, but no JSON Schema validator is installed. ` +
        `npm i @cfworker/json-schema, then once at startup: import { Validator } from '@cfworker/json-schema'; useJsonSchemaValidator(Validator);`,
    );
    this.name = 'JsonSchemaValidatorMissingError';
  }
}

/**
 * A schema validated asynchronously where validation must be synchronous (rpc validators; MCP and
 * mesh calls run synchronously inside transactions fail with `SynchronousExecutionError` instead).
 * @example schemaValidators({ save: [z.string()] }) // a z.string().refine(async ...) throws this
 */
export class AsyncSchemaError extends TypeError {
  readonly code = 'ASYNC_SCHEMA';
  constructor(where: string) {
    super(`${where} validates asynchronously, but this entry point validates synchronously; use a synchronous schema`);
    this.name = 'AsyncSchemaError';
  }
}
