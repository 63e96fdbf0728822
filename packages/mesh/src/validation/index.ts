/**
 * Runtime argument validation, one mechanism for `@mesh({ args, returns })`, rpc's
 * `schemaValidators` and MCP tools. Runtime-neutral. Guide: docs/mesh.md#validation.
 */
export type { ArgSchema, JsonSchema, SchemaArgs, SchemaParam, SchemaParams, SchemaInput, SchemaOutput, SchemaIssue, StandardSchemaV1 } from './types.ts';
export { ArgumentValidationError, ReturnValidationError, JsonSchemaValidatorMissingError, AsyncSchemaError } from './errors.ts';
export { useJsonSchemaValidator, type JsonSchemaValidatorClass, type JsonSchemaOptions, type JsonSchemaResult } from './json-schema.ts';
export { compileSchema, isStandardSchema, isJsonSchema, type CompiledSchema, type CheckOutcome } from './compile.ts';
export { compileMethodSchemas, getMethodSchemas, checkArgs, checkReturn, runSync, runAsync, type MethodSchemas } from './method-schemas.ts';
export { MAX_VALIDATED_DEPTH, MAX_ISSUES, MAX_ISSUE_MESSAGE } from './limits.ts';
