/**
 * `@resource({ uri })` / `@resource({ uriTemplate, args? })`: declares a LumenizeDO method as an MCP
 * resource (`resources/list`, `resources/templates/list`, `resources/read`). A templated resource's
 * method receives the variables taken from the requested URI, checked by `args` (any schema `@tool`
 * accepts) before it runs. Runtime-neutral. Guide: docs/mcp.md#resources.
 */
import { compileMethodSchemas, type ArgSchema, type MethodSchemas, type OriginAuth, type SchemaOutput } from '@lumenize/mesh';
import { describeInput, isPlainObject } from './schema-describe.ts';
import { MAX_URI_LENGTH } from './subscriptions.ts';
import { parseUriTemplate, type UriTemplate } from './uri-template.ts';
import { declaredMethods, declaredName } from './declared.ts';

interface ResourceOptionsBase {
  /** Resource name as MCP clients see it (default: the method name). `[A-Za-z0-9_.-]{1,128}`. */
  name?: string;
  title?: string;
  description?: string;
  /** MIME type of the contents (default for what the method returns). */
  mimeType?: string;
}

/** A fixed resource: one URI, listed by `resources/list`. */
export interface FixedResourceOptions extends ResourceOptionsBase {
  uri: string;
  uriTemplate?: never;
  args?: never;
}

/** A templated resource: `{var}` (never spans `/`) or `{+var}` (may), listed by `resources/templates/list`. */
export interface TemplateResourceOptions<S extends ArgSchema = ArgSchema> extends ResourceOptionsBase {
  uriTemplate: string;
  uri?: never;
  /** Schema of the variables object (zod, valibot, arktype, TypeBox, JSON Schema); values arrive as strings. */
  args?: S;
}

/** What `@resource` declares. */
export type ResourceOptions = FixedResourceOptions | TemplateResourceOptions;

/** One content item a resource method may return; `uri` defaults to the URI read. */
export type ResourceContent = { text: string; mimeType?: string; uri?: string } | { blob: Uint8Array | string; mimeType?: string; uri?: string };

/** What a resource method may return: its text, one content item (text or blob; a string blob is base64), or several. */
export type ResourceReturn = string | ResourceContent | ResourceContent[];

/** The second argument of a resource method. */
export interface ResourceReadExtra {
  readonly originAuth?: OriginAuth;
  readonly sessionId: string;
  readonly requestId: string | number;
  /** The URI read. */
  readonly uri: string;
}

/** A TC39 method decorator whose method receives the variables `V` (and a {@link ResourceReadExtra}). */
export type ResourceDecorator<V> = <This, F extends (this: This, vars: V, extra: ResourceReadExtra) => ResourceReturn | Promise<ResourceReturn>>(value: F, context: ClassMethodDecoratorContext<This, F>) => void;

/** A declared resource, as the server keeps it: `uri` for a fixed one, `template` (and maybe `schemas`) for a templated one. */
export interface ResourceSpec {
  readonly name: string;
  readonly method: string;
  readonly title?: string;
  readonly description?: string;
  readonly mimeType?: string;
  readonly uri?: string;
  readonly template?: UriTemplate;
  readonly schemas?: MethodSchemas;
}

const URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s{}]*$/;
const MIME = /^[A-Za-z0-9!#$&^_.+-]{1,64}\/[A-Za-z0-9!#$&^_.+-]{1,64}(;[ -~]{0,120})?$/;
const registry = new WeakMap<object, ResourceSpec>();

/** Optional strings of the options, checked. */
function describe(options: ResourceOptionsBase, where: string): Pick<ResourceSpec, 'title' | 'description' | 'mimeType'> {
  for (const key of ['title', 'description', 'mimeType'] as const) {
    if (options[key] !== undefined && (typeof options[key] !== 'string' || options[key] === '')) throw new TypeError(`${where}: ${key} must be a non-empty string when given`);
  }
  if (options.mimeType !== undefined && !MIME.test(options.mimeType)) throw new TypeError(`${where}: mimeType '${options.mimeType}' is not a MIME type (type/subtype)`);
  return { ...(options.title ? { title: options.title } : {}), ...(options.description ? { description: options.description } : {}), ...(options.mimeType ? { mimeType: options.mimeType } : {}) };
}

/** A JSON Schema `args` may only name the template's variables (one it cannot receive would always fail). */
function checkArgNames(args: ArgSchema, template: UriTemplate, where: string): void {
  const schema = describeInput(args, undefined, where);
  const names = new Set(template.variables.map((v) => v.name));
  const properties = isPlainObject(schema.properties) ? Object.keys(schema.properties) : [];
  const unknown = properties.find((p) => !names.has(p));
  if (unknown !== undefined) throw new TypeError(`${where}: args names '${unknown}', which is not a variable of '${template.source}'`);
}

/**
 * Declares an MCP resource on a LumenizeDO method.
 * @example @resource({ uriTemplate: 'notes://{id}', args: z.object({ id: z.string().uuid() }) }) note({ id }: { id: string }) { return this.ctx.storage.kv.get<string>(`note:${id}`) ?? ''; }
 */
export function resource(options: FixedResourceOptions): ResourceDecorator<Record<string, never>>;
export function resource<const S extends ArgSchema>(options: TemplateResourceOptions<S> & { args: S }): ResourceDecorator<SchemaOutput<S>>;
export function resource(options: TemplateResourceOptions): ResourceDecorator<Record<string, string>>;
export function resource(options: ResourceOptions): ResourceDecorator<never> {
  if (typeof options !== 'object' || options === null) throw new TypeError('@resource(options): options must be an object { uri } or { uriTemplate }');
  const fixed = options.uri !== undefined;
  if (fixed === (options.uriTemplate !== undefined)) throw new TypeError('@resource: give exactly one of uri (a fixed resource) or uriTemplate (a templated one)');
  return (value, context) => {
    const { method, name } = declaredName('@resource', options.name, value, context);
    const where = `@resource '${name}'`;
    const base = { name, method, ...describe(options, where) };
    if (fixed) {
      const uri = options.uri;
      if (typeof uri !== 'string' || uri.length > MAX_URI_LENGTH || !URI.test(uri)) throw new TypeError(`${where}: uri must be an absolute URI (scheme:…) of at most ${MAX_URI_LENGTH} characters, without spaces or braces (a templated one is uriTemplate)`);
      registry.set(value, { ...base, uri });
      return;
    }
    const template = parseUriTemplate(options.uriTemplate, where);
    const args = (options as TemplateResourceOptions).args;
    if (args === undefined) {
      registry.set(value, { ...base, template });
      return;
    }
    checkArgNames(args, template, where);
    registry.set(value, { ...base, template, schemas: compileMethodSchemas(name, [args], undefined) });
  };
}

/** Every resource declared on `instance`'s class chain, in declaration order (an override in a subclass wins). */
export function resourcesOf(instance: object): ResourceSpec[] {
  const found: ResourceSpec[] = [];
  const seen = new Set<string>();
  for (const [key, method] of declaredMethods(instance)) {
    if (seen.has(key)) continue;
    seen.add(key);
    const spec = registry.get(method);
    if (spec) found.push(spec);
  }
  return found;
}
