/** apps/docs-mcp: search, read and resources over MCP Streamable HTTP (anonymous: the docs are public). */
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

async function post(message: unknown, sessionId?: string): Promise<{ status: number; sessionId: string | null; body: Record<string, any> }> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };
  if (sessionId) headers['Mcp-Session-Id'] = sessionId;
  const res = await SELF.fetch('https://docs.test/mcp', { method: 'POST', headers, body: JSON.stringify(message) });
  return { status: res.status, sessionId: res.headers.get('Mcp-Session-Id'), body: (await res.json()) as Record<string, any> };
}

async function session(): Promise<string> {
  const init = await post({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } });
  expect(init.body.result.capabilities).toMatchObject({ tools: {}, resources: {} });
  return init.sessionId!;
}

describe('docs MCP server', () => {
  it('search finds the page that documents a term', async () => {
    const sid = await session();
    const reply = await post({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'search', arguments: { query: 'useJsonSchemaValidator' } } }, sid);
    const files = (reply.body.result.structuredContent.hits as Array<{ file: string }>).map((h) => h.file);
    expect(files).toContain('mesh.md');
  });

  it('read returns a page in full; an unknown page is a tool error; a bad name is -32602', async () => {
    const sid = await session();
    const page = await post({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'read', arguments: { page: 'mcp.md' } } }, sid);
    expect(page.body.result.content[0].text).toMatch(/^# MCP on the mesh/);
    const missing = await post({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'read', arguments: { page: 'nope.md' } } }, sid);
    expect(missing.body.result.isError).toBe(true);
    const bad = await post({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'read', arguments: { page: '../secrets' } } }, sid);
    expect(bad.body.error).toMatchObject({ code: -32602, data: { tool: 'read', path: ['page'] } });
  });

  it('every docs page is a resource, readable by its URI; an unknown URI is -32002', async () => {
    const sid = await session();
    const list = await post({ jsonrpc: '2.0', id: 2, method: 'resources/list' }, sid);
    const uris = (list.body.result.resources as Array<{ uri: string }>).map((r) => r.uri);
    expect(uris).toContain('lumenize-docs://docs/mesh.md');
    expect(uris).toContain('lumenize-docs://docs/mcp.md');
    const read = await post({ jsonrpc: '2.0', id: 3, method: 'resources/read', params: { uri: 'lumenize-docs://docs/mesh.md' } }, sid);
    expect(read.body.result.contents[0]).toMatchObject({ uri: 'lumenize-docs://docs/mesh.md', mimeType: 'text/markdown' });
    expect(read.body.result.contents[0].text).toMatch(/^# The mesh/);
    const unknown = await post({ jsonrpc: '2.0', id: 4, method: 'resources/read', params: { uri: 'lumenize-docs://docs/nope.md' } }, sid);
    expect(unknown.body.error.code).toBe(-32002);
  });
});
