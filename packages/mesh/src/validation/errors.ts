/**
 * Errors of argument and return-value validation, registered with structured-clone so they reach
 * the caller as the same class with their fields (method, argument index, path, issues).
 * Registration is a pure call per class: a bundle that never uses a class (a browser client that
 * only receives these errors) drops its code and keeps the stand-in of error-shells.ts.
 */
// First: the stand-ins register before the real classes below replace them.
import './error-shells.ts';
import { registered } from '../error-stand-ins.ts';
import {
  ArgumentValidationError as ArgumentValidationErrorClass,
  AsyncSchemaError as AsyncSchemaErrorClass,
  JsonSchemaValidatorMissingError as JsonSchemaValidatorMissingErrorClass,
  ReturnValidationError as ReturnValidationErrorClass,
} from './error-classes.ts';

export { formatPath } from './error-classes.ts';

/**
 * An argument was refused by its schema before the method ran (nothing ran, nothing was stored).
 * @example if (e instanceof ArgumentValidationError) show(e.method, e.argIndex, e.path);
 */
export const ArgumentValidationError = /* @__PURE__ */ registered(ArgumentValidationErrorClass);
export type ArgumentValidationError = ArgumentValidationErrorClass;

/**
 * A method's return value did not match its `returns` schema; the caller gets this instead of the value.
 * @example @mesh({ returns: z.number() }) total() { ... }
 */
export const ReturnValidationError = /* @__PURE__ */ registered(ReturnValidationErrorClass);
export type ReturnValidationError = ReturnValidationErrorClass;

/**
 * A JSON Schema was declared but no JSON Schema validator was installed with `useJsonSchemaValidator`.
 * @example import { Validator } from '@cfworker/json-schema'; useJsonSchemaValidator(Validator);
 */
export const JsonSchemaValidatorMissingError = /* @__PURE__ */ registered(JsonSchemaValidatorMissingErrorClass);
export type JsonSchemaValidatorMissingError = JsonSchemaValidatorMissingErrorClass;

/**
 * A schema validated asynchronously where validation must be synchronous (rpc validators; MCP and
 * mesh calls run synchronously inside transactions fail with `SynchronousExecutionError` instead).
 * @example schemaValidators({ save: [z.string()] }) // a z.string().refine(async ...) throws this
 */
export const AsyncSchemaError = /* @__PURE__ */ registered(AsyncSchemaErrorClass);
export type AsyncSchemaError = AsyncSchemaErrorClass;
