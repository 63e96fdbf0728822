/**
 * `@prompt({ description, input })`: declares a LumenizeDO method as an MCP prompt (`prompts/list`,
 * `prompts/get`). `input` is any schema `@tool` accepts and describes the prompt's `arguments`
 * object (MCP sends prompt arguments as strings); it is checked before the method runs. The method
 * returns the prompt text, or `{ description?, messages }`. Runtime-neutral. Guide: docs/mcp.md#prompts.
 */
import { compileMethodSchemas, type ArgSchema, type MethodSchemas, type OriginAuth, type SchemaOutput } from '@lumenize/mesh';
import type { PromptArgument, PromptMessage } from '@modelcontextprotocol/sdk/types.js';
import { describeInput, isPlainObject } from './schema-describe.ts';
import { declaredMethods, declaredName } from './declared.ts';

/** What `@prompt` declares. */
export interface PromptOptions<S extends ArgSchema = ArgSchema> {
  /** Prompt name as MCP clients see it (default: the method name). `[A-Za-z0-9_.-]{1,128}`. */
  name?: string;
  title?: string;
  description: string;
  /** Schema of the prompt's `arguments` object (zod, valibot, arktype, TypeBox, JSON Schema). */
  input: S;
  /** JSON Schema for `prompts/list` when `input` cannot describe itself (valibot). */
  inputJsonSchema?: object;
}

/** The second argument of a prompt method. */
export interface PromptGetExtra {
  readonly originAuth?: OriginAuth;
  readonly sessionId: string;
  readonly requestId: string | number;
}

/** What a prompt method may return: its text (one user message), or the full result. */
export type PromptReturn = string | { description?: string; messages: PromptMessage[] };

/** A declared prompt, as the server keeps it. */
export interface PromptSpec {
  readonly name: string;
  readonly method: string;
  readonly title?: string;
  readonly description: string;
  readonly arguments: PromptArgument[];
  readonly schemas: MethodSchemas;
}

/** A TC39 method decorator whose method receives the schema's output (and a {@link PromptGetExtra}). */
export type PromptDecorator<S extends ArgSchema> = <This, F extends (this: This, args: SchemaOutput<S>, extra: PromptGetExtra) => PromptReturn | Promise<PromptReturn>>(value: F, context: ClassMethodDecoratorContext<This, F>) => void;

const registry = new WeakMap<object, PromptSpec>();

/** `prompts/list` arguments from the input's JSON Schema: its properties, `required` marked. */
function argumentsOf(schema: Record<string, unknown>): PromptArgument[] {
  const properties = isPlainObject(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string') : []);
  return Object.entries(properties).map(([name, property]) => {
    const description = isPlainObject(property) && typeof property.description === 'string' ? property.description : undefined;
    return { name, ...(description ? { description } : {}), required: required.has(name) };
  });
}

/**
 * Declares an MCP prompt on a LumenizeDO method; the method receives the validated arguments.
 * @example @prompt({ description: 'Review code', input: z.object({ code: z.string() }) }) review({ code }: { code: string }) { return `Review:\n${code}`; }
 */
export function prompt<const S extends ArgSchema>(options: PromptOptions<S>): PromptDecorator<S> {
  if (typeof options !== 'object' || options === null) throw new TypeError('@prompt(options): options must be an object { description, input }');
  if (typeof options.description !== 'string' || options.description === '') throw new TypeError('@prompt: description must be a non-empty string');
  return (value, context) => {
    const { method, name } = declaredName('@prompt', options.name, value, context);
    const schema = describeInput(options.input, options.inputJsonSchema, `@prompt '${name}'`);
    const schemas = compileMethodSchemas(name, [options.input], undefined);
    registry.set(value, { name, method, description: options.description, arguments: argumentsOf(schema), schemas, ...(options.title ? { title: options.title } : {}) });
  };
}

/** Every prompt declared on `instance`'s class chain (nearest class wins on a name clash). */
export function promptsOf(instance: object): Map<string, PromptSpec> {
  const found = new Map<string, PromptSpec>();
  for (const [, method] of declaredMethods(instance)) {
    const spec = registry.get(method);
    if (spec && !found.has(spec.name)) found.set(spec.name, spec);
  }
  return found;
}
