/**
 * The SDK Client checks a tool's `structuredContent` against its `outputSchema`. Its default
 * checker (Ajv) compiles with `eval`, which workerd forbids, so the check goes through mesh's own
 * JSON Schema mechanism instead: the validator the app installed with `useJsonSchemaValidator`
 * (`@cfworker/json-schema`, no eval). Without one, a tool that declares an output schema fails
 * with the mesh error saying how to install it; tools without output schemas need nothing.
 */
import { compileSchema } from '@lumenize/mesh';
import type { JsonSchemaType, JsonSchemaValidator, jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';

function refusal<T>(message: string): JsonSchemaValidator<T> {
  return () => ({ valid: false, data: undefined, errorMessage: message });
}

/** An SDK `jsonSchemaValidator` on top of mesh's `compileSchema`. */
export const meshOutputSchemaValidator: jsonSchemaValidator = {
  getValidator<T>(schema: JsonSchemaType): JsonSchemaValidator<T> {
    let compiled: ReturnType<typeof compileSchema>;
    try {
      compiled = compileSchema(schema, 'MCP tool outputSchema');
    } catch (error) {
      return refusal(`the tool's outputSchema is not a usable JSON Schema: ${error instanceof Error ? error.message : String(error)}`);
    }
    return (input) => {
      try {
        const outcome = compiled.check(input);
        if (outcome instanceof Promise) return { valid: false, data: undefined, errorMessage: 'an output schema must check synchronously' };
        if (outcome.ok) return { valid: true, data: input as T, errorMessage: undefined };
        const issues = outcome.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
        return { valid: false, data: undefined, errorMessage: issues.join('; ') };
      } catch (error) {
        return { valid: false, data: undefined, errorMessage: error instanceof Error ? error.message : String(error) };
      }
    };
  },
};
