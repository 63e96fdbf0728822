/**
 * Conformance against a client nobody here wrote: `@modelcontextprotocol/sdk`'s `Client` and
 * `StreamableHTTPClientTransport` drive svc.mcp served by real `wrangler dev`. Acceptance map
 * (issue 20 "Must show"): initialize, tools/list, tools/call valid + invalid, unknown method,
 * missing/forged token, session expiry, progress, cancellation ('cancellation: …'), resume after a
 * dropped stream ('resume: …'), the GET stream with resource subscriptions ('GET stream: …'),
 * prompts ('prompts: …'), the tool's mesh callContext ('callContext: …') and `@resource` methods
 * ('resources: …', served at /mcp-resources).
 */
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, type StreamableHTTPClientTransportOptions } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { tap } from './tap.ts';
import { CompleteResultSchema, ErrorCode, McpError, ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, inject, it } from 'vitest';
import './provided.ts';

const base = inject('mcpDevUrl');
const open: Client[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close().catch(() => {})));
});

async function token(sub: string, pem = inject('mcpPrivateKeyPem'), claims: Record<string, unknown> = {}): Promise<string> {
  // jose directly: @lumenize/auth's entry also loads its Durable Object, which only workerd can import.
  return new SignJWT({ ...claims, sub, exp: Math.floor(Date.now() / 1000) + 600 }).setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: 'BLUE' }).sign(createPrivateKey(pem));
}

async function connect(bearer?: string, extra: Partial<StreamableHTTPClientTransportOptions> = {}, path = '/mcp'): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(new URL(path, base), { ...(bearer ? { requestInit: { headers: { Authorization: `Bearer ${bearer}` } } } : {}), ...extra });
  const client = new Client({ name: 'sdk-conformance', version: '1.0.0' });
  open.push(client);
  await client.connect(transport);
  return { client, transport };
}

describe('MCP SDK client against wrangler dev', () => {
  it('initialize: negotiates the latest revision and gets a session id', async () => {
    const { client, transport } = await connect(await token('alice'));
    expect(transport.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(client.getServerVersion()).toEqual({ name: 'lumenize-mcp-test', version: '0.1.0' });
    expect(client.getServerCapabilities()).toMatchObject({ tools: {} });
    expect(transport.protocolVersion).toBe('2025-11-25');
  });

  it('tools/list: every tool with its JSON Schema input', async () => {
    const { client } = await connect(await token('alice'));
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['add', 'callerAuth', 'count', 'fail', 'greet', 'lastCancel', 'repeat', 'tag', 'touch', 'waitForCancel', 'whoami']);
    expect(tools.find((t) => t.name === 'add')?.inputSchema).toMatchObject({ type: 'object', required: ['a', 'b'] });
  });

  it('tools/call with valid arguments; originAuth is the token subject', async () => {
    const { client } = await connect(await token('dana'));
    expect(await client.callTool({ name: 'add', arguments: { a: 20, b: 22 } })).toEqual({ content: [{ type: 'text', text: '42' }] });
    expect(await client.callTool({ name: 'whoami', arguments: {} })).toMatchObject({ structuredContent: { userId: 'dana' } });
  });

  it('tools/call with invalid arguments: McpError -32602 naming tool, argument and path (zod, valibot, TypeBox, JSON Schema)', async () => {
    const { client } = await connect(await token('alice'));
    const refused = async (name: string, args: Record<string, unknown>) => {
      const error = await client.callTool({ name, arguments: args }).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(McpError);
      return error as McpError;
    };
    const zod = await refused('add', { a: 1 });
    expect(zod.code).toBe(ErrorCode.InvalidParams);
    expect(zod.message).toMatch(/Invalid argument 0 of 'add' at 'b'/);
    expect(zod.data).toMatchObject({ tool: 'add', argIndex: 0, path: ['b'] });
    expect((await refused('greet', { name: 5 })).data).toMatchObject({ tool: 'greet', path: ['name'] });
    expect((await refused('repeat', { text: 'x', times: 0 })).data).toMatchObject({ tool: 'repeat', path: ['times'] });
    expect((await refused('tag', { tags: 'nope' })).data).toMatchObject({ tool: 'tag', path: ['tags'] });
  });

  it('progress: onprogress receives every notification of a tools/call, then the result', async () => {
    const { client } = await connect(await token('alice'));
    const seen: Array<{ progress: number; total?: number }> = [];
    const result = await client.callTool({ name: 'count', arguments: { n: 4 } }, undefined, { onprogress: (p) => seen.push({ progress: p.progress, total: p.total }) });
    expect(result.content).toEqual([{ type: 'text', text: 'counted to 4' }]);
    expect(seen).toEqual([1, 2, 3, 4].map((progress) => ({ progress, total: 4 })));
  });

  it('an unknown method is -32601 and the session survives', async () => {
    const { client, transport } = await connect(await token('alice'));
    const sessionId = transport.sessionId;
    const error = await client.request({ method: 'completion/complete', params: { ref: { type: 'ref/prompt', name: 'review' }, argument: { name: 'code', value: 'x' } } }, CompleteResultSchema).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(ErrorCode.MethodNotFound);
    expect(transport.sessionId).toBe(sessionId);
    expect((await client.callTool({ name: 'add', arguments: { a: 1, b: 1 } })).content).toEqual([{ type: 'text', text: '2' }]);
  });

  it('a missing token is refused with 401', async () => {
    await expect(connect()).rejects.toMatchObject({ code: 401, message: expect.stringContaining('Missing or malformed Authorization header') });
  });

  it('a forged token (unknown signing key) is refused with 401', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const forged = await token('alice', privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    await expect(connect(forged)).rejects.toMatchObject({ code: 401, message: expect.stringContaining('Invalid token signature') });
  });

  it('session expiry: after the idle TTL (clock driven) the session answers 404', async () => {
    const { client, transport } = await connect(await token('alice'));
    await client.ping();
    const res = await fetch(new URL('/test/advance-clock', base), { method: 'POST', body: JSON.stringify({ session: transport.sessionId, ms: 60_001 }) });
    expect(res.status).toBe(200);
    await res.text();
    await expect(client.listTools()).rejects.toMatchObject({ code: 404, message: expect.stringContaining('Session not found or expired') });
  });

  it('GET stream: a resource subscription gets notifications/resources/updated on the GET stream', async () => {
    const { client } = await connect(await token('alice'));
    const updated = new Promise<string>((resolve) => client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => resolve(n.params.uri)));
    expect(client.getServerCapabilities()?.resources).toMatchObject({ subscribe: true });
    await client.subscribeResource({ uri: 'test://a' });
    expect((await client.callTool({ name: 'touch', arguments: { uri: 'test://a' } })).structuredContent).toEqual({ notified: true });
    expect(await updated).toBe('test://a');
    await client.unsubscribeResource({ uri: 'test://a' });
    expect((await client.callTool({ name: 'touch', arguments: { uri: 'test://a' } })).structuredContent).toEqual({ notified: false });
  });

  it('resume: a stream dropped mid-progress reconnects with Last-Event-ID and no event is lost or repeated', async () => {
    const wire = tap({ dropPostStreamAfter: 2 });
    const { client } = await connect(await token('alice'), {
      fetch: wire.fetch,
      reconnectionOptions: { initialReconnectionDelay: 1, maxReconnectionDelay: 1, reconnectionDelayGrowFactor: 1, maxRetries: 2 },
    });
    const seen: number[] = [];
    const result = await client.callTool({ name: 'count', arguments: { n: 6 } }, undefined, { onprogress: (p) => seen.push(p.progress) });
    expect(result.content).toEqual([{ type: 'text', text: 'counted to 6' }]);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
    expect(wire.dropped).toBe(1);
    expect(wire.resumedFrom).toHaveLength(1);
    expect(wire.resumedFrom[0]).toMatch(/^\d+$/);
  });

  it('cancellation: aborting the request sends notifications/cancelled; the tool sees its signal abort; no response is sent', async () => {
    const wire = tap();
    const { client } = await connect(await token('alice'), { fetch: wire.fetch });
    const controller = new AbortController();
    const call = client.callTool({ name: 'waitForCancel', arguments: {} }, undefined, { signal: controller.signal, onprogress: () => controller.abort('user stop') });
    await expect(call).rejects.toMatchObject({ message: expect.stringContaining('user stop') });
    const stream = wire.postStreams.find((s) => s.request.includes('waitForCancel'));
    await stream?.ended; // the server ends the call's stream once the cancel reached the tool
    const requestId = (JSON.parse(stream?.request ?? '{}') as { id?: unknown }).id;
    expect(stream?.messages.some((m) => m.id === requestId)).toBe(false);
    expect(stream?.messages.map((m) => m.method)).toEqual(['notifications/progress']);
    expect((await client.callTool({ name: 'lastCancel', arguments: {} })).content).toEqual([{ type: 'text', text: 'CancelledError: Cancelled by the client: user stop' }]);
  });

  it('prompts: listPrompts and getPrompt; bad arguments are McpError -32602 naming the path', async () => {
    const { client } = await connect(await token('ivy'));
    expect((await client.listPrompts()).prompts.map((p) => p.name)).toEqual(['review', 'plan', 'broken']);
    expect(await client.getPrompt({ name: 'review', arguments: { code: 'let a' } })).toMatchObject({ messages: [{ role: 'user', content: { type: 'text', text: 'Review this code for ivy:\nlet a' } }] });
    const error = await client.getPrompt({ name: 'plan', arguments: { city: 'X' } }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(McpError);
    expect(error).toMatchObject({ code: ErrorCode.InvalidParams, data: { prompt: 'plan', path: ['city'] } });
  });

  it("callContext: inside a tool, this.lmz.callContext.originAuth is the verified token's identity and claims", async () => {
    const { client } = await connect(await token('judy', undefined, { role: 'admin' }));
    expect((await client.callTool({ name: 'callerAuth', arguments: {} })).structuredContent).toMatchObject({ originAuth: { userId: 'judy', claims: { role: 'admin' } }, chainLength: 1 });
  });

  it('resources: listResources, listResourceTemplates, readResource on a template; a refused variable is McpError -32602 naming it', async () => {
    const { client } = await connect(await token('kim'), {}, '/mcp-resources');
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri)).toEqual(['notes://today', 'whoami://me', 'test://explode', 'test://bad-return', 'test://bad-blob', 'test://a', 'test://b']);
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates[0]).toEqual({ uriTemplate: 'notes://{id}', name: 'note', description: 'A note by id (zod)', mimeType: 'text/plain' });
    expect(await client.readResource({ uri: 'notes://sdk-1' })).toEqual({ contents: [{ uri: 'notes://sdk-1', mimeType: 'text/plain', text: 'empty note sdk-1' }] });
    expect(await client.readResource({ uri: 'users://kim/avatar' })).toEqual({ contents: [{ uri: 'users://kim/avatar', mimeType: 'image/png', blob: 'AQID' }] });
    const error = await client.readResource({ uri: 'notes://NOPE' }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(McpError);
    expect(error).toMatchObject({ code: ErrorCode.InvalidParams, data: { resource: 'note', variable: 'id' } });
  });
});
