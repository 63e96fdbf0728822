/**
 * `@tool({ description, input })`: declares a LumenizeDO method as an MCP tool. The input schema is
 * any schema `@mesh({ args })` accepts (Standard Schema or JSON Schema, TypeBox included) and
 * describes the tool's `arguments` object; it is checked before the method runs. Runtime-neutral.
 * Guide: docs/mcp.md#tools.
 */
import { compileMethodSchemas, type ArgSchema, type MethodSchemas, type OriginAuth, type SchemaOutput } from '@lumenize/mesh';
import { describeInput } from './schema-describe.ts';
import { declaredMethods, declaredName } from './declared.ts';

/** What `@tool` declares. */
export interface ToolOptions<S extends ArgSchema = ArgSchema> {
  /** Tool name as MCP clients see it (default: the method name). `[A-Za-z0-9_.-]{1,128}`. */
  name?: string;
  /** Human-readable title (optional). */
  title?: string;
  /** What the tool does; models read this. */
  description: string;
  /** Schema of the tool's `arguments` object (zod, valibot, arktype, TypeBox, JSON Schema). */
  input: S;
  /**
   * JSON Schema shown in `tools/list` when `input` is a Standard Schema that cannot describe itself
   * (valibot without its converter); zod 4 and JSON Schemas describe themselves.
   */
  inputJsonSchema?: object;
}

/** A declared tool, as the server keeps it. */
export interface ToolSpec {
  readonly name: string;
  readonly method: string;
  readonly title?: string;
  readonly description: string;
  readonly inputSchema: Record<string, unknown>;
  readonly schemas: MethodSchemas;
}

const registry = new WeakMap<object, ToolSpec>();

/** Reports progress of a running tool (`notifications/progress`); a no-op when the client asked for none. */
export type ProgressSink = (progress: number, total?: number, message?: string) => void;

/** The second argument of a tool method: who is calling, in which session, for which request. */
export interface ToolCallExtra {
  /** The verified user (from the bearer JWT) that opened this MCP session; absent when anonymous. */
  readonly originAuth?: OriginAuth;
  /** The MCP session (`Mcp-Session-Id`). */
  readonly sessionId: string;
  /** The JSON-RPC id of the `tools/call` request. */
  readonly requestId: string | number;
  /** Sends a progress notification to the caller, when its request carried a `progressToken`. */
  readonly progress: ProgressSink;
  /**
   * Aborts when the client cancels the request (`notifications/cancelled`); its `reason` is a
   * `CancelledError`. Stop work and return or throw: no response is sent for a cancelled request.
   */
  readonly signal: AbortSignal;
}

/** A TC39 method decorator whose method receives the schema's output (and a {@link ToolCallExtra}). */
export type ToolDecorator<S extends ArgSchema> = <This, F extends (this: This, args: SchemaOutput<S>, extra: ToolCallExtra) => unknown>(value: F, context: ClassMethodDecoratorContext<This, F>) => void;

/**
 * Declares an MCP tool on a LumenizeDO method; the method receives the validated arguments object.
 * @example @tool({ description: 'Adds', input: z.object({ a: z.number(), b: z.number() }) }) add({ a, b }: { a: number; b: number }) { return a + b; }
 */
export function tool<const S extends ArgSchema>(options: ToolOptions<S>): ToolDecorator<S> {
  if (typeof options !== 'object' || options === null) throw new TypeError('@tool(options): options must be an object { description, input }');
  if (typeof options.description !== 'string' || options.description === '') throw new TypeError('@tool: description must be a non-empty string');
  return (value, context) => {
    const { method, name } = declaredName('@tool', options.name, value, context);
    const where = `@tool '${name}'`;
    const inputSchema = describeInput(options.input, options.inputJsonSchema, where);
    const schemas = compileMethodSchemas(name, [options.input], undefined);
    registry.set(value, { name, method, description: options.description, inputSchema, schemas, ...(options.title ? { title: options.title } : {}) });
  };
}

/** Every tool declared on `instance`'s class chain (nearest class wins on a name clash). */
export function toolsOf(instance: object): Map<string, ToolSpec> {
  const found = new Map<string, ToolSpec>();
  for (const [, method] of declaredMethods(instance)) {
    const spec = registry.get(method);
    if (spec && !found.has(spec.name)) found.set(spec.name, spec);
  }
  return found;
}
