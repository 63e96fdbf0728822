/** Session DOs of the mcp tests: tools validated by zod, valibot, TypeBox and raw JSON Schema. */
import { Validator } from '@cfworker/json-schema';
import { LumenizeDO, useJsonSchemaValidator } from '@lumenize/mesh';
import { Type } from '@sinclair/typebox';
import * as v from 'valibot';
import { z } from 'zod';
import { prompt, resource, tool, type McpResources, type McpServerOptions, type ResourceReadExtra, type ToolCallExtra } from '../src/index.ts';

useJsonSchemaValidator(Validator);

const CLOCK_KEY = 'test.clock';

/** Two fixed resources, so subscriptions have something to subscribe to. */
const RESOURCES: McpResources = {
  list: () => [
    { uri: 'test://a', name: 'a', mimeType: 'text/plain' },
    { uri: 'test://b', name: 'b', mimeType: 'text/plain' },
  ],
  read: (uri) => (uri === 'test://a' || uri === 'test://b' ? { uri, mimeType: 'text/plain', text: `content of ${uri}` } : undefined),
};

export class McpSessionDO extends LumenizeDO {
  /** The tests' clock: they move it to drive session expiry (no wall-clock waits). */
  #options(): McpServerOptions {
    return {
      serverInfo: { name: 'lumenize-mcp-test', version: '0.1.0' },
      idleTtlMs: 60_000,
      now: () => (this.ctx.storage.kv.get<number>(CLOCK_KEY) ?? 1_000_000),
      resources: RESOURCES,
    };
  }

  override async fetch(request: Request): Promise<Response> {
    return this.svc.mcp.fetch(request, this.#options());
  }

  /** Test seam: moves this session's clock forward. */
  advanceClock(ms: number): void {
    this.ctx.storage.kv.put(CLOCK_KEY, (this.ctx.storage.kv.get<number>(CLOCK_KEY) ?? 1_000_000) + ms);
  }

  @tool({ description: 'Adds two numbers (zod)', input: z.object({ a: z.number(), b: z.number() }) })
  add({ a, b }: { a: number; b: number }): number {
    this.ctx.storage.kv.put('last.add', a + b);
    return a + b;
  }

  @tool({ description: 'Greets a person (valibot)', input: v.object({ name: v.pipe(v.string(), v.minLength(1)) }), inputJsonSchema: { type: 'object', properties: { name: { type: 'string', minLength: 1 } }, required: ['name'] } })
  greet({ name }: { name: string }): string {
    return `Hello, ${name}!`;
  }

  @tool({ description: 'Repeats text (TypeBox)', input: Type.Object({ text: Type.String(), times: Type.Integer({ minimum: 1, maximum: 5 }) }) })
  repeat({ text, times }: { text: string; times: number }): string {
    return text.repeat(times);
  }

  @tool({ description: 'Tags an item (raw JSON Schema)', input: { type: 'object', properties: { tags: { type: 'array', items: { type: 'string' } } }, required: ['tags'], additionalProperties: false } })
  tag(args: unknown): { count: number } {
    return { count: (args as { tags: string[] }).tags.length };
  }

  @tool({ description: 'Who is calling (originAuth of the call context)', input: z.object({}) })
  whoami(_args: unknown, extra: ToolCallExtra): { userId: string | null } {
    return { userId: extra.originAuth?.userId ?? null };
  }

  @tool({ description: 'Counts to n, reporting progress at each step', input: z.object({ n: z.number().int().min(1).max(10) }) })
  async count({ n }: { n: number }, extra: ToolCallExtra): Promise<string> {
    for (let i = 1; i <= n; i++) {
      extra.progress(i, n, `step ${i}`);
      await Promise.resolve();
    }
    return `counted to ${n}`;
  }

  @tool({ description: 'Always fails', input: z.object({}) })
  fail(): never {
    throw new Error('boom');
  }

  @tool({ description: 'Says resource uri changed (svc.mcp.resourceChanged)', input: z.object({ uri: z.string() }) })
  touch({ uri }: { uri: string }): { notified: boolean } {
    return { notified: this.svc.mcp.resourceChanged(uri) };
  }

  @tool({ description: 'Waits until cancelled; announces itself by progress and on the GET stream', input: z.object({}) })
  async waitForCancel(_args: unknown, extra: ToolCallExtra): Promise<string> {
    extra.progress(0, undefined, 'waiting');
    this.svc.mcp.notify('notifications/message', { level: 'info', logger: 'test', data: `waiting ${extra.requestId}` });
    const reason = await new Promise<unknown>((resolve) => extra.signal.addEventListener('abort', () => resolve(extra.signal.reason), { once: true }));
    this.ctx.storage.kv.put('last.cancel', reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason));
    return 'this response must never be sent';
  }

  @tool({ description: 'What the last cancelled tool saw', input: z.object({}) })
  lastCancel(): string {
    return this.ctx.storage.kv.get<string>('last.cancel') ?? 'none';
  }

  @tool({ description: 'The mesh callContext a tool runs in', input: z.object({}) })
  callerAuth(): { originAuth: unknown; origin: unknown; chainLength: number } {
    const { originAuth, origin, callChain } = this.lmz.callContext;
    return { originAuth: originAuth ?? null, origin, chainLength: callChain.length };
  }

  @prompt({ description: 'Asks for a code review (zod)', input: z.object({ code: z.string().min(1).describe('The code'), language: z.string().optional() }) })
  review({ code, language }: { code: string; language?: string }): string {
    return `Review this ${language ?? 'code'} for ${this.lmz.callContext.originAuth?.userId ?? 'nobody'}:\n${code}`;
  }

  @prompt({ name: 'plan', description: 'Plans a trip (TypeBox)', input: Type.Object({ city: Type.String({ minLength: 2 }) }) })
  planTrip({ city }: { city: string }): { description: string; messages: Array<{ role: 'user' | 'assistant'; content: { type: 'text'; text: string } }> } {
    return {
      description: `A trip to ${city}`,
      messages: [
        { role: 'user', content: { type: 'text', text: `Plan a day in ${city}` } },
        { role: 'assistant', content: { type: 'text', text: 'Sure.' } },
      ],
    };
  }

  @prompt({ description: 'Returns a value that is not a prompt', input: z.object({}) })
  broken(): string {
    return { nope: true } as unknown as string;
  }
}

/**
 * `@resource` tests (test/workerd/resources.test.ts, served at /mcp-resources): the session DO's tools,
 * prompts and option resources (test://a, test://b), plus declared fixed and templated resources.
 */
export class McpResourceDO extends McpSessionDO {
  // Declared before the fixed `notes://today`: a fixed URI still wins over a template.
  @resource({ uriTemplate: 'notes://{id}', description: 'A note by id (zod)', mimeType: 'text/plain', args: z.object({ id: z.string().regex(/^[a-z0-9-]{1,36}$/, 'lower-case id') }) })
  note({ id }: { id: string }): { text: string } {
    return { text: this.ctx.storage.kv.get<string>(`note:${id}`) ?? `empty note ${id}` };
  }

  @resource({ uri: 'notes://today', name: 'today', title: "Today's note", description: 'The note of the day', mimeType: 'text/markdown' })
  today(): string {
    return this.ctx.storage.kv.get<string>('note:today') ?? '# today';
  }

  @tool({ description: 'Writes a note (resources test)', input: z.object({ id: z.string(), text: z.string() }) })
  writeNote({ id, text }: { id: string; text: string }): { notified: boolean } {
    this.ctx.storage.kv.put(`note:${id}`, text);
    return { notified: this.svc.mcp.resourceChanged(`notes://${id}`) };
  }

  @resource({ uriTemplate: 'files://{+path}', description: 'A file: {+path} may span /' })
  file({ path }: Record<string, string>): string {
    return `file ${path}`;
  }

  @resource({ uriTemplate: 'users://{user}/avatar', mimeType: 'image/png' })
  avatar(): { blob: Uint8Array } {
    return { blob: new Uint8Array([1, 2, 3]) };
  }

  @resource({ uriTemplate: 'pair://{a}-{b}', args: Type.Object({ a: Type.String({ pattern: '^[0-9]+$' }), b: Type.String() }) })
  pair({ a, b }: { a: string; b: string }): Array<{ text: string } | { blob: string; mimeType: string; uri: string }> {
    return [{ text: `${a} and ${b}` }, { blob: 'AAEC', mimeType: 'application/octet-stream', uri: `pair://${a}-${b}#raw` }];
  }

  @resource({ uriTemplate: 'order://{x}' })
  first({ x }: Record<string, string>): string {
    return `first ${x}`;
  }

  @resource({ uriTemplate: 'order://{y}' })
  second({ y }: Record<string, string>): string {
    return `second ${y}`;
  }

  @resource({ uri: 'whoami://me', mimeType: 'application/json' })
  me(_vars: Record<string, never>, extra: ResourceReadExtra): string {
    return JSON.stringify({ uri: extra.uri, userId: extra.originAuth?.userId ?? null, contextUser: this.lmz.callContext.originAuth?.userId ?? null });
  }

  @resource({ uri: 'test://explode' })
  explode(): string {
    throw new Error('kaput');
  }

  @resource({ uri: 'test://bad-return' })
  badReturn(): string {
    return { nope: 1 } as unknown as string;
  }

  @resource({ uri: 'test://bad-blob' })
  badBlob(): { blob: string } {
    return { blob: 'not base64!' };
  }
}
