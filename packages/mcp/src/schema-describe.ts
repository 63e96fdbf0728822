/**
 * The JSON Schema shown to MCP clients for a tool's or prompt's input: a JSON Schema (TypeBox
 * included) as it is, a Standard Schema through its own `~standard.jsonSchema` (zod 4), or the
 * explicit one given. MCP requires an object at the root. Runtime-neutral.
 */
import { isJsonSchema, isStandardSchema, type ArgSchema } from '@lumenize/mesh';

export function describeInput(input: ArgSchema, explicit: object | undefined, where: string): Record<string, unknown> {
  let schema: unknown = explicit;
  if (schema === undefined && isStandardSchema(input)) {
    const js = (input['~standard'] as { jsonSchema?: { input?: (o: { target: string }) => unknown } }).jsonSchema;
    schema = typeof js?.input === 'function' ? js.input({ target: 'draft-2020-12' }) : { type: 'object' };
  } else if (schema === undefined) {
    schema = input;
  }
  if (!isJsonSchema(schema) || typeof schema !== 'object') throw new TypeError(`${where}: the input schema must describe an object (a JSON Schema object)`);
  const out = JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
  if (out.type !== 'object') throw new TypeError(`${where}: the input schema must have type "object" (MCP arguments are an object)`);
  return out;
}

/** Plain object with `Object.prototype` or no prototype (a decoded JSON object). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
