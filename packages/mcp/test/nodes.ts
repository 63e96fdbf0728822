/** Session DOs of the mcp tests: tools validated by zod, valibot, TypeBox and raw JSON Schema. */
import { Validator } from '@cfworker/json-schema';
import { LumenizeDO, useJsonSchemaValidator } from '@lumenize/mesh';
import { Type } from '@sinclair/typebox';
import * as v from 'valibot';
import { z } from 'zod';
import { tool, type McpServerOptions, type ToolCallExtra } from '../src/index.ts';

useJsonSchemaValidator(Validator);

const CLOCK_KEY = 'test.clock';

export class McpSessionDO extends LumenizeDO {
  /** The tests' clock: they move it to drive session expiry (no wall-clock waits). */
  #options(): McpServerOptions {
    return {
      serverInfo: { name: 'lumenize-mcp-test', version: '0.1.0' },
      idleTtlMs: 60_000,
      now: () => (this.ctx.storage.kv.get<number>(CLOCK_KEY) ?? 1_000_000),
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
}
