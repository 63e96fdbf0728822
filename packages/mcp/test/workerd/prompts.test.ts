/**
 * Prompts (`@prompt`, `prompts/list`, `prompts/get`) and the mesh callContext of tool and prompt
 * methods, over raw Streamable HTTP in workerd. Acceptance map (brief items 5, 6): 'prompts/list…',
 * 'prompts/get runs…', 'bad prompt arguments…', 'a tool runs in a mesh callContext…', 'identity
 * headers cannot forge…'.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { runInCallContext } from '@lumenize/mesh';
import { describe, expect, it } from 'vitest';
import { call, initialize, open, post, token } from './helpers.ts';

const get = (id: number, name: string, args?: unknown) => ({ jsonrpc: '2.0', id, method: 'prompts/get', params: { name, ...(args === undefined ? {} : { arguments: args }) } });

describe('prompts', () => {
  it('prompts/list shows each prompt with its arguments (from the input schema); the capability is declared', async () => {
    const bearer = await token('alice');
    const init = await post(initialize(), { bearer });
    expect(init.body?.result?.capabilities).toMatchObject({ prompts: { listChanged: false } });
    const { sessionId } = { sessionId: init.sessionId! };
    const prompts = (await post({ jsonrpc: '2.0', id: 2, method: 'prompts/list' }, { bearer, sessionId })).body?.result?.prompts;
    expect(prompts).toEqual([
      { name: 'review', description: 'Asks for a code review (zod)', arguments: [{ name: 'code', description: 'The code', required: true }, { name: 'language', required: false }] },
      { name: 'plan', description: 'Plans a trip (TypeBox)', arguments: [{ name: 'city', required: true }] },
      { name: 'broken', description: 'Returns a value that is not a prompt', arguments: [] },
    ]);
  });

  it('prompts/get runs the method: a string is one user message (zod); an object is the result (TypeBox); it runs in the callContext', async () => {
    const { sessionId, bearer } = await open('erin');
    expect((await post(get(1, 'review', { code: 'x = 1', language: 'python' }), { bearer, sessionId })).body?.result).toEqual({
      description: 'Asks for a code review (zod)',
      messages: [{ role: 'user', content: { type: 'text', text: 'Review this python for erin:\nx = 1' } }],
    });
    expect((await post(get(2, 'plan', { city: 'Oslo' }), { bearer, sessionId })).body?.result).toEqual({
      description: 'A trip to Oslo',
      messages: [
        { role: 'user', content: { type: 'text', text: 'Plan a day in Oslo' } },
        { role: 'assistant', content: { type: 'text', text: 'Sure.' } },
      ],
    });
  });

  it('bad prompt arguments → -32602 naming prompt, argument and path; unknown prompt, missing name → -32602; a bad return → -32603', async () => {
    const { sessionId, bearer } = await open();
    const error = async (message: unknown) => (await post(message, { bearer, sessionId })).body?.error;
    const zod = await error(get(1, 'review', { code: '' }));
    expect(zod).toMatchObject({ code: -32602, data: { prompt: 'review', argIndex: 0, path: ['code'] } });
    expect(zod?.message).toMatch(/^Invalid argument 0 of 'review' at 'code': /);
    expect(await error(get(2, 'review'))).toMatchObject({ code: -32602, data: { prompt: 'review', path: ['code'] } });
    expect(await error(get(3, 'plan', { city: 'X' }))).toMatchObject({ code: -32602, data: { prompt: 'plan', path: ['city'] } });
    expect(await error(get(4, 'nope', {}))).toEqual({ code: -32602, message: 'Unknown prompt: nope' });
    expect(await error({ jsonrpc: '2.0', id: 5, method: 'prompts/get', params: {} })).toMatchObject({ code: -32602, message: expect.stringContaining('prompts/get needs { name: string') });
    expect(await error(get(6, 'broken', {}))).toEqual({ code: -32603, message: "Prompt 'broken' returned neither a string nor { messages: PromptMessage[] }" });
  });
});

describe('tool callContext', () => {
  it("a tool runs in a mesh callContext: originAuth is the verified token's identity, origin is the session DO", async () => {
    const bearer = await token('frank', undefined, { role: 'editor', org: 'acme' });
    const sessionId = (await post(initialize(), { bearer })).sessionId!;
    const result = (await post(call(1, 'callerAuth', {}), { bearer, sessionId })).body?.result?.structuredContent as Record<string, unknown>;
    // The token's identity: `sub` as userId, its non-registered claims as claims.
    expect(result.originAuth).toEqual({ userId: 'frank', claims: { role: 'editor', org: 'acme' } });
    expect(result.origin).toEqual({ type: 'LumenizeDO', bindingName: 'MCP_SESSION', instanceName: sessionId });
    expect(result.chainLength).toBe(1);
  });

  it('identity headers sent with a valid token cannot forge originAuth', async () => {
    const headers = { 'X-Auth-User-Id': 'mallory', 'X-Auth-Verified': 'true', 'X-Auth-Claims': '{"sub":"mallory","role":"admin"}' };
    const bearer = await token('grace', undefined, { role: 'viewer' });
    const init = await post(initialize(), { bearer, headers });
    const sessionId = init.sessionId!;
    const result = (await post(call(1, 'callerAuth', {}), { bearer, sessionId, headers })).body?.result?.structuredContent as { originAuth: { userId: string; claims: Record<string, unknown> } };
    expect(result.originAuth.userId).toBe('grace');
    expect(result.originAuth.claims).toEqual({ role: 'viewer' });
  });

  it('runInCallContext (the mesh export the session uses) checks the context like a received envelope', async () => {
    const outcome = await runInDurableObject(env.MCP_SESSION.getByName('ctx-check'), () => {
      const refused = (wire: unknown) => {
        try {
          runInCallContext(wire as Parameters<typeof runInCallContext>[0], () => undefined);
          return 'ran';
        } catch (error) {
          return (error as Error).message;
        }
      };
      const chain = [{ type: 'LumenizeDO' as const, bindingName: 'MCP_SESSION', instanceName: 'x' }];
      const valid = runInCallContext({ callChain: chain, originAuth: { userId: 'u', claims: { role: 'r' } }, state: {} }, () => 'ok');
      return {
        valid,
        noChain: refused({ callChain: [], state: {} }),
        badAuth: refused({ callChain: chain, originAuth: { userId: 5 }, state: {} }),
      };
    });
    expect(outcome).toEqual({
      valid: 'ok',
      noChain: 'Invalid callContext: callChain must be a non-empty array',
      badAuth: 'Invalid callContext: originAuth must be { userId: string, claims?: object }',
    });
  });
});
