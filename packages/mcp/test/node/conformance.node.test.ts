/**
 * Conformance against a client nobody here wrote: `@modelcontextprotocol/sdk`'s `Client` and
 * `StreamableHTTPClientTransport` drive svc.mcp served by real `wrangler dev`. Acceptance map
 * (issue 20 "Must show"): initialize, tools/list, tools/call valid + invalid, unknown method,
 * missing/forged token, session expiry, progress. Not covered yet: cancellation, resume.
 */
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, ListResourcesResultSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, inject, it } from 'vitest';
import './provided.ts';

const base = inject('mcpDevUrl');
const open: Client[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close().catch(() => {})));
});

async function token(sub: string, pem = inject('mcpPrivateKeyPem')): Promise<string> {
  // jose directly: @lumenize/auth's entry also loads its Durable Object, which only workerd can import.
  return new SignJWT({ sub, exp: Math.floor(Date.now() / 1000) + 600 }).setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: 'BLUE' }).sign(createPrivateKey(pem));
}

async function connect(bearer?: string): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(new URL('/mcp', base), bearer ? { requestInit: { headers: { Authorization: `Bearer ${bearer}` } } } : {});
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
    expect(tools.map((t) => t.name).sort()).toEqual(['add', 'count', 'fail', 'greet', 'repeat', 'tag', 'whoami']);
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
    const error = await client.request({ method: 'resources/list' }, ListResourcesResultSchema).then(() => undefined, (e: unknown) => e);
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
});
