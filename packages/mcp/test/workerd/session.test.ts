/**
 * svc.mcp over raw Streamable HTTP inside workerd. Acceptance map (issue 20, item 2, first slice):
 * initialize/session → 'initialize opens a session…'; auth → 'missing…', 'forged…', 'another user…';
 * tools/list → 'tools/list…'; tools/call → 'valid arguments…', 'refused arguments…'; -32601 → 'unknown
 * method…'; expiry → 'an idle session expires…'; bad input → the 'refuses' tests.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { call, forgedToken, initialize, open, post, token } from './helpers.ts';

describe('svc.mcp sessions and auth', () => {
  it('initialize opens a session in its own DO and negotiates the protocol version', async () => {
    const bearer = await token('alice');
    const reply = await post(initialize(7), { bearer });
    expect(reply.status).toBe(200);
    expect(reply.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(reply.body?.id).toBe(7);
    expect(reply.body?.result).toMatchObject({ protocolVersion: '2025-06-18', serverInfo: { name: 'lumenize-mcp-test' }, capabilities: { tools: {} } });
    const other = await post(initialize(8), { bearer });
    expect(other.sessionId).not.toBe(reply.sessionId);
    const stored = await runInDurableObject(env.MCP_SESSION.getByName(reply.sessionId!), (_i, ctx) => ctx.storage.kv.get('lmz.mcp.session'));
    expect(stored).toMatchObject({ v: 1, id: reply.sessionId, userId: 'alice', protocolVersion: '2025-06-18' });
  });

  it('an unsupported protocol version is answered with the latest one', async () => {
    const reply = await post({ ...initialize(), params: { ...initialize().params, protocolVersion: '1999-01-01' } }, { bearer: await token('alice') });
    expect(reply.body?.result?.protocolVersion).toBe('2025-11-25');
  });

  it('missing token → 401 before any DO', async () => {
    const reply = await post(initialize());
    expect(reply.status).toBe(401);
    expect(reply.sessionId).toBeNull();
  });

  it('forged token (signed by an unknown key) → 401', async () => {
    const reply = await post(initialize(), { bearer: await forgedToken('alice') });
    expect(reply.status).toBe(401);
  });

  it('identity headers sent by the client are not trusted', async () => {
    const reply = await post(initialize(), { headers: { 'X-Auth-User-Id': 'mallory', 'X-Auth-Verified': 'true' } });
    expect(reply.status).toBe(401);
  });

  it('another user cannot use a session → 403, the session stays', async () => {
    const { sessionId, bearer } = await open('alice');
    const bob = await post({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, { bearer: await token('bob'), sessionId });
    expect(bob.status).toBe(403);
    expect((await post({ jsonrpc: '2.0', id: 3, method: 'tools/list' }, { bearer, sessionId })).status).toBe(200);
  });

  it('unknown or malformed session id → 404 (client must re-initialize)', async () => {
    const bearer = await token('alice');
    expect((await post({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, { bearer, sessionId: crypto.randomUUID() })).status).toBe(404);
    expect((await post({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, { bearer, sessionId: 'not-a-session' })).status).toBe(404);
  });

  it('a request after initialize without Mcp-Session-Id → 400', async () => {
    const reply = await post({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, { bearer: await token('alice') });
    expect(reply.status).toBe(400);
    expect(reply.body?.error?.message).toContain('Mcp-Session-Id');
  });

  it('an idle session expires (clock driven) → 404 and its row is deleted', async () => {
    const { sessionId, bearer } = await open('alice');
    const stub = env.MCP_SESSION.getByName(sessionId);
    await stub.advanceClock(59_000);
    expect((await post({ jsonrpc: '2.0', id: 2, method: 'ping' }, { bearer, sessionId })).status).toBe(200);
    await stub.advanceClock(59_000); // each request moves expiry forward: still alive
    expect((await post({ jsonrpc: '2.0', id: 3, method: 'ping' }, { bearer, sessionId })).status).toBe(200);
    await stub.advanceClock(60_001);
    const expired = await post({ jsonrpc: '2.0', id: 4, method: 'ping' }, { bearer, sessionId });
    expect(expired.status).toBe(404);
    expect(expired.body?.error?.message).toContain('expired');
    expect(await runInDurableObject(stub, (_i, ctx) => ctx.storage.kv.get('lmz.mcp.session'))).toBeUndefined();
  });

  it('DELETE ends the session', async () => {
    const { sessionId, bearer } = await open('alice');
    const { SELF } = await import('cloudflare:test');
    const res = await SELF.fetch('https://mcp.test/mcp', { method: 'DELETE', headers: { Authorization: `Bearer ${bearer}`, 'Mcp-Session-Id': sessionId } });
    expect(res.status).toBe(204);
    expect((await post({ jsonrpc: '2.0', id: 2, method: 'ping' }, { bearer, sessionId })).status).toBe(404);
  });

  it('a second initialize on an existing session is refused and the session is unchanged', async () => {
    const { sessionId, bearer } = await open('alice');
    const reply = await post(initialize(), { bearer, sessionId });
    expect(reply.status).toBe(400);
    expect((await post({ jsonrpc: '2.0', id: 2, method: 'ping' }, { bearer, sessionId })).status).toBe(200);
  });
});

describe('svc.mcp bad input', () => {
  it('refuses a body that is not JSON (-32700)', async () => {
    const { sessionId, bearer } = await open();
    const reply = await post(null, { bearer, sessionId, raw: '{not json' });
    expect(reply.status).toBe(400);
    expect(reply.body?.error?.code).toBe(-32700);
  });

  it('refuses a batch and a non-JSON-RPC object (-32600)', async () => {
    const { sessionId, bearer } = await open();
    const batch = await post([{ jsonrpc: '2.0', id: 1, method: 'ping' }], { bearer, sessionId });
    expect(batch.status).toBe(400);
    expect(batch.body?.error?.code).toBe(-32600);
    const junk = await post({ hello: 'world', id: 9 }, { bearer, sessionId });
    expect(junk.body?.error?.code).toBe(-32600);
    expect(junk.body?.id).toBe(9);
  });

  it('refuses a wrong Content-Type (415) and an unsupported HTTP method (405 with Allow)', async () => {
    const { sessionId, bearer } = await open();
    expect((await post({ jsonrpc: '2.0', id: 1, method: 'ping' }, { bearer, sessionId, headers: { 'Content-Type': 'text/plain' } })).status).toBe(415);
    const { SELF } = await import('cloudflare:test');
    const res = await SELF.fetch('https://mcp.test/mcp', { method: 'PUT', headers: { Authorization: `Bearer ${bearer}`, 'Mcp-Session-Id': sessionId } });
    expect(res.status).toBe(405);
    expect(res.headers.get('Allow')).toBe('GET, POST, DELETE');
    await res.body?.cancel();
  });

  it('refuses an unsupported MCP-Protocol-Version header (400)', async () => {
    const { sessionId, bearer } = await open();
    const reply = await post({ jsonrpc: '2.0', id: 1, method: 'ping' }, { bearer, sessionId, headers: { 'MCP-Protocol-Version': '1999-01-01' } });
    expect(reply.status).toBe(400);
  });

  it('refuses a tools/call without a tool name, and an unknown tool (-32602)', async () => {
    const { sessionId, bearer } = await open();
    expect((await post({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { arguments: {} } }, { bearer, sessionId })).body?.error?.code).toBe(-32602);
    const unknown = await post(call(2, 'nope', {}), { bearer, sessionId });
    expect(unknown.body?.error).toMatchObject({ code: -32602, message: 'Unknown tool: nope' });
  });
});

describe('svc.mcp methods', () => {
  it('unknown method → -32601 and the session keeps working', async () => {
    const { sessionId, bearer } = await open();
    const reply = await post({ jsonrpc: '2.0', id: 5, method: 'completion/complete', params: {} }, { bearer, sessionId });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ id: 5, error: { code: -32601, message: 'Method not found: completion/complete' } });
    expect((await post(call(6, 'add', { a: 1, b: 2 }), { bearer, sessionId })).body?.result).toMatchObject({ content: [{ type: 'text', text: '3' }] });
  });

  it('notifications and client responses are accepted with 202', async () => {
    const { sessionId, bearer } = await open();
    expect((await post({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1 } }, { bearer, sessionId })).status).toBe(202);
    expect((await post({ jsonrpc: '2.0', id: 'srv-1', result: {} }, { bearer, sessionId })).status).toBe(202);
  });

  it('tools/list describes every tool with a JSON Schema input (zod, valibot, TypeBox, raw)', async () => {
    const { sessionId, bearer } = await open();
    const tools = (await post({ jsonrpc: '2.0', id: 1, method: 'tools/list' }, { bearer, sessionId })).body?.result?.tools as Array<{ name: string; inputSchema: Record<string, unknown> }>;
    expect(tools.map((t) => t.name).sort()).toEqual(['add', 'callerAuth', 'count', 'fail', 'greet', 'lastCancel', 'repeat', 'tag', 'touch', 'waitForCancel', 'whoami']);
    const byName = Object.fromEntries(tools.map((t) => [t.name, t.inputSchema]));
    expect(byName.add).toMatchObject({ type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] });
    expect(byName.greet).toMatchObject({ type: 'object', required: ['name'] });
    expect(byName.repeat).toMatchObject({ type: 'object', properties: { times: { type: 'integer', maximum: 5 } } });
    expect(byName.tag).toMatchObject({ type: 'object', additionalProperties: false });
  });

  it('valid arguments run the tool (each schema kind) and the result is MCP content', async () => {
    const { sessionId, bearer } = await open('carol');
    const text = async (name: string, args: unknown) => (await post(call(1, name, args), { bearer, sessionId })).body?.result;
    expect(await text('add', { a: 2, b: 3 })).toEqual({ content: [{ type: 'text', text: '5' }] });
    expect(await text('greet', { name: 'Ada' })).toEqual({ content: [{ type: 'text', text: 'Hello, Ada!' }] });
    expect(await text('repeat', { text: 'ab', times: 2 })).toEqual({ content: [{ type: 'text', text: 'abab' }] });
    expect(await text('tag', { tags: ['x', 'y'] })).toEqual({ content: [{ type: 'text', text: '{"count":2}' }], structuredContent: { count: 2 } });
    expect(await text('whoami', {})).toMatchObject({ structuredContent: { userId: 'carol' } });
  });

  it('refused arguments → -32602 naming tool, argument and path; the tool did not run', async () => {
    const { sessionId, bearer } = await open();
    const refuse = async (name: string, args: unknown) => (await post(call(1, name, args), { bearer, sessionId })).body?.error;
    const zod = await refuse('add', { a: 1, b: 'two' });
    expect(zod).toMatchObject({ code: -32602, data: { tool: 'add', argIndex: 0, path: ['b'] } });
    expect(zod?.message).toMatch(/^Invalid argument 0 of 'add' at 'b': /);
    expect(await refuse('greet', { name: '' })).toMatchObject({ code: -32602, data: { tool: 'greet', path: ['name'] } });
    expect(await refuse('repeat', { text: 'a', times: 9 })).toMatchObject({ code: -32602, data: { tool: 'repeat', path: ['times'] } });
    const json = await refuse('tag', { tags: ['ok', 3] });
    expect(json).toMatchObject({ code: -32602, data: { tool: 'tag', path: ['tags', 1] } });
    expect(json?.message).toContain("at 'tags[1]'");
    const stored = await runInDurableObject(env.MCP_SESSION.getByName(sessionId), (_i, ctx) => ctx.storage.kv.get('last.add'));
    expect(stored).toBeUndefined();
  });

  it('a tools/call with a progressToken is answered as an SSE stream: progress notifications, then the result', async () => {
    const { sessionId, bearer } = await open();
    const { SELF } = await import('cloudflare:test');
    const res = await SELF.fetch('https://mcp.test/mcp', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', Authorization: `Bearer ${bearer}`, 'Mcp-Session-Id': sessionId },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'count', arguments: { n: 3 }, _meta: { progressToken: 'p1' } } }),
    });
    expect(res.headers.get('Content-Type')).toBe('text/event-stream');
    const events = (await res.text()).split('\n\n').filter((e) => e !== '').map((e) => JSON.parse(e.split('data: ')[1]));
    expect(events).toEqual([
      { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 'p1', progress: 1, total: 3, message: 'step 1' } },
      { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 'p1', progress: 2, total: 3, message: 'step 2' } },
      { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 'p1', progress: 3, total: 3, message: 'step 3' } },
      { jsonrpc: '2.0', id: 9, result: { content: [{ type: 'text', text: 'counted to 3' }] } },
    ]);
  });

  it('a tool that throws gives an isError result, not a protocol error', async () => {
    const { sessionId, bearer } = await open();
    const reply = await post(call(1, 'fail', {}), { bearer, sessionId });
    expect(reply.body?.result).toEqual({ content: [{ type: 'text', text: 'Error: boom' }], isError: true });
  });
});
