/** instrumentDOProject (spec §9 items 9-11, §7): detection, the three errors, routing and handler copies. */
import { createExecutionContext, env } from 'cloudflare:test';
import { DurableObject, WorkerEntrypoint } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_REQUEST_BYTES } from '@lumenize/rpc';
import { createTestingClient, instrumentDOProject, InstrumentationError } from '../../src/index.ts';
import * as single from '../fixtures/single.ts';
import type { MyDO } from '../fixtures/my-do.ts';
import { unique } from '../env.ts';

class A extends DurableObject {}
class B extends DurableObject {}
class Helper extends WorkerEntrypoint {}

const ctx = () => createExecutionContext();

describe('instrumentDOProject', () => {
  it('item 9: one class is auto-detected; the result is a Worker exposing .worker, .dos.X and .X', async () => {
    const harness = instrumentDOProject(single);
    expect(Object.keys(harness.dos)).toEqual(['OnlyDO']);
    expect(harness.OnlyDO).toBe(harness.dos.OnlyDO);
    expect(harness.dos.OnlyDO.name).toBe('OnlyDO');
    expect(harness.dos.OnlyDO.prototype).toBeInstanceOf(single.OnlyDO);
    expect(harness.worker.fetch).toBeTypeOf('function');
    const response = await harness.fetch!(new Request('https://x.test/nothing-here'), env as unknown as Record<string, unknown>, ctx());
    expect(response.status).toBe(404);
  });

  it('item 10: several classes without config throw MULTIPLE_CLASS_EXPORTS with a ready-to-paste example', () => {
    const error = (() => {
      try {
        instrumentDOProject({ A, B, Helper, value: 1 });
      } catch (e) {
        return e as InstrumentationError;
      }
    })();
    expect(error).toBeInstanceOf(InstrumentationError);
    expect(error).toMatchObject({ name: 'InstrumentationError', code: 'MULTIPLE_CLASS_EXPORTS' });
    expect(error!.message).toMatch(/^Found multiple class exports: A, B, Helper\./);
    expect(error!.message).toContain("instrumentDOProject({ sourceModule, doClassNames: ['A', 'B', 'Helper'] })");
  });

  it('item 10: zero classes throw No class exports found, listing the exports', () => {
    expect(() => instrumentDOProject({ a: 1, b: 'two', default: { fetch() {} } })).toThrow('No class exports found in sourceModule. Available exports: a, b, default');
    expect(() => instrumentDOProject({})).toThrow('Available exports: (none)');
  });

  it("item 10: an unknown doClassNames entry throws DO class '<name>' not found, listing the exports; nothing is exported", () => {
    let harness: unknown;
    expect(() => {
      harness = instrumentDOProject({ sourceModule: { A, B }, doClassNames: ['A', 'Missing'] });
    }).toThrow("DO class 'Missing' not found in source module. Available exports: A, B");
    expect(harness).toBeUndefined();
    expect(() => instrumentDOProject({ sourceModule: { A, value: 1 }, doClassNames: ['value'] })).toThrow("DO class 'value' not found");
  });

  it('bad configs throw InstrumentationError BAD_CONFIG', () => {
    expect(() => instrumentDOProject(null as unknown as object)).toThrow(InstrumentationError);
    expect(() => instrumentDOProject({ sourceModule: { A }, simulateAlarms: true, virtualAlarms: true })).toThrow('choose simulateAlarms or virtualAlarms');
    expect(() => instrumentDOProject({ sourceModule: { A }, prefix: '/' })).toThrow('prefix must be a non-empty path segment');
    expect(() => instrumentDOProject({ sourceModule: { A }, guardToken: 'a b' })).toThrow('guardToken');
  });

  it('item 11: without a default export non-RPC requests get 404 Not found; with one they reach it', async () => {
    const bare = instrumentDOProject({ A });
    const notFound = await bare.fetch!(new Request('https://x.test/anything'), env as unknown as Record<string, unknown>, ctx());
    expect(notFound.status).toBe(404);
    expect(await notFound.text()).toBe('Not found');
    const withDefault = instrumentDOProject({ A, default: { fetch: () => new Response('original') } });
    expect(await (await withDefault.fetch!(new Request('https://x.test/anything'), env as unknown as Record<string, unknown>, ctx())).text()).toBe('original');
  });

  it('item 11: scheduled, queue, email, tail and trace handlers are preserved, bound to the original', async () => {
    const calls: string[] = [];
    const original = {
      name: 'orig',
      fetch: () => new Response('x'),
      scheduled(this: { name: string }) {
        calls.push(`scheduled:${this.name}`);
      },
      queue: () => void calls.push('queue'),
      email: () => void calls.push('email'),
      tail: () => void calls.push('tail'),
      trace: () => void calls.push('trace'),
    };
    const harness = instrumentDOProject({ sourceModule: { A, default: original } }) as unknown as Record<string, (...a: unknown[]) => unknown>;
    for (const key of ['scheduled', 'queue', 'email', 'tail', 'trace']) harness[key]();
    expect(calls).toEqual(['scheduled:orig', 'queue', 'email', 'tail', 'trace']);
  });

  it('item 11: a custom prefix routes RPC on that prefix only (the test Worker’s custom-rpc harness)', async () => {
    const name = unique('prefix');
    using client = createTestingClient<typeof MyDO>('CUSTOM_PREFIX_DO', name, { prefix: 'custom-rpc' });
    expect(await client.increment()).toBe(1);
    using wrongPrefix = createTestingClient<typeof MyDO>('CUSTOM_PREFIX_DO', name);
    // On the default prefix the DO sees a non-RPC request and answers from its own fetch.
    await expect(wrongPrefix.increment()).rejects.toMatchObject({ name: 'RpcRouteError', status: 404, body: 'MyDO: unknown path' });
  });

  it('an RPC body over the request limit is refused with 413 before any DO sees it', async () => {
    const { SELF } = await import('cloudflare:test');
    const name = unique('oversize');
    const res = await SELF.fetch(`https://x.test/__rpc/MY_DO/${name}/call`, { method: 'POST', body: 'x'.repeat(DEFAULT_MAX_REQUEST_BYTES + 1) });
    expect(res.status).toBe(413);
    expect(await res.text()).toMatch(/larger than/);
    using client = createTestingClient<typeof MyDO>('MY_DO', name);
    expect(await client.ctx.storage.kv.get('count')).toBeUndefined();
  });

  it('non-RPC traffic still reaches the wrapped DO’s own fetch', async () => {
    const name = unique('own-fetch');
    using client = createTestingClient<typeof MyDO>('MY_DO', name);
    await client.ctx.storage.kv.put('count', 41);
    const { SELF } = await import('cloudflare:test');
    expect(await (await SELF.fetch(`https://x.test/my-do/${name}/increment`)).text()).toBe('42');
  });
});
