/**
 * `@resource` (fixed and templated resources on LumenizeDO methods), over raw Streamable HTTP in
 * workerd against McpResourceDO at /mcp-resources. Acceptance map (brief mcp-resource):
 * list / templates/list → 'resources/list shows…', 'resources/templates/list…'; read dispatch order →
 * 'resources/read: a fixed URI wins…'; returns → 'a method may return…'; matching → '{var} never
 * matches /…'; bad input → 'bad input:…'; subscriptions → 'a subscription to a templated URI…';
 * declaration errors → '@resource refuses…'.
 */
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { MAX_TEMPLATE_LENGTH, MAX_TEMPLATE_VARIABLES, resource } from '../../src/index.ts';
import { matchUriTemplate, parseUriTemplate } from '../../src/uri-template.ts';
import { initialize, open as openPlain, post as postPlain, sse, token, type Reply } from './helpers.ts';

const URL_RES = 'https://mcp.test/mcp-resources';

function headersOf(bearer: string, sessionId?: string, accept = 'application/json, text/event-stream'): Record<string, string> {
  return { 'Content-Type': 'application/json', Accept: accept, Authorization: `Bearer ${bearer}`, ...(sessionId ? { 'Mcp-Session-Id': sessionId } : {}) };
}

async function post(message: unknown, bearer: string, sessionId?: string): Promise<Reply> {
  const res = await SELF.fetch(URL_RES, { method: 'POST', headers: headersOf(bearer, sessionId), body: JSON.stringify(message) });
  const text = await res.text();
  return { status: res.status, sessionId: res.headers.get('Mcp-Session-Id'), body: text ? JSON.parse(text) : null };
}

async function open(user = 'alice'): Promise<{ sessionId: string; bearer: string; rpc: (method: string, params?: unknown) => Promise<Reply['body']> }> {
  const bearer = await token(user);
  const init = await post(initialize(), bearer);
  if (init.status !== 200 || !init.sessionId) throw new Error(`initialize failed: ${init.status} ${JSON.stringify(init.body)}`);
  const sessionId = init.sessionId;
  let id = 100;
  return { sessionId, bearer, rpc: async (method, params) => (await post({ jsonrpc: '2.0', id: ++id, method, ...(params === undefined ? {} : { params }) }, bearer, sessionId)).body };
}

const read = (uri: string) => ['resources/read', { uri }] as const;

describe('@resource', () => {
  it('resources/list shows the fixed resources (declared, then the option ones); the capability is declared', async () => {
    const bearer = await token('alice');
    const init = await post(initialize(), bearer);
    expect(init.body?.result?.capabilities).toMatchObject({ resources: { subscribe: true, listChanged: false } });
    const list = await post({ jsonrpc: '2.0', id: 2, method: 'resources/list' }, bearer, init.sessionId!);
    expect(list.body?.result?.resources).toEqual([
      { uri: 'notes://today', name: 'today', title: "Today's note", description: 'The note of the day', mimeType: 'text/markdown' },
      { uri: 'whoami://me', name: 'me', mimeType: 'application/json' },
      { uri: 'test://explode', name: 'explode' },
      { uri: 'test://bad-return', name: 'badReturn' },
      { uri: 'test://bad-blob', name: 'badBlob' },
      { uri: 'test://a', name: 'a', mimeType: 'text/plain' },
      { uri: 'test://b', name: 'b', mimeType: 'text/plain' },
    ]);
  });

  it('resources/templates/list shows the templates in declaration order', async () => {
    const { rpc } = await open();
    expect((await rpc('resources/templates/list'))?.result).toEqual({
      resourceTemplates: [
        { uriTemplate: 'notes://{id}', name: 'note', description: 'A note by id (zod)', mimeType: 'text/plain' },
        { uriTemplate: 'files://{+path}', name: 'file', description: 'A file: {+path} may span /' },
        { uriTemplate: 'users://{user}/avatar', name: 'avatar', mimeType: 'image/png' },
        { uriTemplate: 'pair://{a}-{b}', name: 'pair' },
        { uriTemplate: 'order://{x}', name: 'first' },
        { uriTemplate: 'order://{y}', name: 'second' },
      ],
    });
  });

  it('a server with only the resources option still serves it; resources/templates/list is then empty', async () => {
    const { sessionId, bearer } = await openPlain();
    expect((await postPlain({ jsonrpc: '2.0', id: 1, method: 'resources/templates/list' }, { bearer, sessionId })).body?.result).toEqual({ resourceTemplates: [] });
    expect((await postPlain({ jsonrpc: '2.0', id: 2, method: 'resources/list' }, { bearer, sessionId })).body?.result?.resources).toHaveLength(2);
    expect((await postPlain({ jsonrpc: '2.0', id: 3, method: 'resources/read', params: { uri: 'notes://today' } }, { bearer, sessionId })).body?.error).toMatchObject({ code: -32002 });
  });

  it('resources/read: a fixed URI wins over a template declared before it, then templates in order, then the option read(uri)', async () => {
    const { rpc } = await open();
    expect((await rpc(...read('notes://today')))?.result).toEqual({ contents: [{ uri: 'notes://today', mimeType: 'text/markdown', text: '# today' }] });
    expect((await rpc(...read('notes://abc-1')))?.result).toEqual({ contents: [{ uri: 'notes://abc-1', mimeType: 'text/plain', text: 'empty note abc-1' }] });
    expect((await rpc(...read('order://z')))?.result).toEqual({ contents: [{ uri: 'order://z', text: 'first z' }] });
    expect((await rpc(...read('test://a')))?.result).toEqual({ contents: [{ uri: 'test://a', mimeType: 'text/plain', text: 'content of test://a' }] });
    expect((await rpc(...read('test://nope')))?.error).toEqual({ code: -32002, message: 'Resource not found: test://nope', data: { uri: 'test://nope' } });
  });

  it('a method may return text, { text }, { blob: Uint8Array } or an array (base64 blob, own uri); it gets the session and runs in the callContext', async () => {
    const { rpc } = await open('erin');
    expect((await rpc(...read('users://bob/avatar')))?.result).toEqual({ contents: [{ uri: 'users://bob/avatar', mimeType: 'image/png', blob: 'AQID' }] });
    expect((await rpc(...read('pair://12-x-y')))?.result).toEqual({
      contents: [
        { uri: 'pair://12-x-y', text: '12 and x-y' },
        { uri: 'pair://12-x-y#raw', mimeType: 'application/octet-stream', blob: 'AAEC' },
      ],
    });
    const me = (await rpc(...read('whoami://me')))?.result as { contents: Array<{ text: string }> };
    expect(JSON.parse(me.contents[0]!.text)).toEqual({ uri: 'whoami://me', userId: 'erin', contextUser: 'erin' });
  });

  it('{var} never matches / (raw or %2F); {+var} may; values are percent-decoded', async () => {
    const { rpc } = await open();
    expect((await rpc(...read('notes://a/b')))?.error).toMatchObject({ code: -32002 });
    expect((await rpc(...read('users://a/b/avatar')))?.error).toMatchObject({ code: -32002 });
    expect((await rpc(...read('users://a%2Fb/avatar')))?.error).toMatchObject({ code: -32002 });
    expect((await rpc(...read('files://a/b/c.txt')))?.result).toEqual({ contents: [{ uri: 'files://a/b/c.txt', text: 'file a/b/c.txt' }] });
    expect((await rpc(...read('files://hello%20world')))?.result).toEqual({ contents: [{ uri: 'files://hello%20world', text: 'file hello world' }] });
    // An empty variable matches nothing.
    expect((await rpc(...read('users:///avatar')))?.error).toMatchObject({ code: -32002 });
  });

  it('bad input: a URI over the limit, a variable failing its schema (-32602 naming it), bad percent-encoding, a throwing method (-32603, no stack), a bad return', async () => {
    const { rpc } = await open();
    expect((await rpc(...read(`notes://${'x'.repeat(2041)}`)))?.error).toEqual({ code: -32602, message: 'Invalid params: resources/read needs { uri: string } (1..2048 characters)' });
    expect((await rpc('resources/read', {}))?.error).toMatchObject({ code: -32602 });
    const zod = (await rpc(...read('notes://UPPER')))?.error;
    expect(zod).toMatchObject({ code: -32602, message: "Invalid URI variable 'id' of 'note': lower-case id", data: { resource: 'note', uriTemplate: 'notes://{id}', variable: 'id', path: ['id'] } });
    const typebox = (await rpc(...read('pair://x-y')))?.error;
    expect(typebox).toMatchObject({ code: -32602, data: { resource: 'pair', variable: 'a', path: ['a'] } });
    expect(typebox?.message).toMatch(/^Invalid URI variable 'a' of 'pair': /);
    expect((await rpc(...read('files://%E0%A4%A')))?.error).toEqual({
      code: -32602,
      message: "Invalid URI for 'file': variable 'path' is not valid percent-encoding",
      data: { resource: 'file', uriTemplate: 'files://{+path}', variable: 'path' },
    });
    const thrown = (await rpc(...read('test://explode')))?.error;
    expect(thrown).toEqual({ code: -32603, message: "Resource 'explode' failed: kaput" });
    expect(JSON.stringify(thrown)).not.toMatch(/ at |stack/);
    const bad = "returned neither text, { text }, { blob } nor an array of them";
    expect((await rpc(...read('test://bad-return')))?.error).toEqual({ code: -32603, message: `Resource 'badReturn' ${bad}` });
    expect((await rpc(...read('test://bad-blob')))?.error).toEqual({ code: -32603, message: `Resource 'badBlob' ${bad}` });
    // The session is intact after every refusal.
    expect((await rpc('ping'))?.result).toEqual({});
  });

  it('a subscription to a templated URI is stored with its request id and notified by resourceChanged; a refused URI is not stored', async () => {
    const { sessionId, bearer, rpc } = await open();
    expect((await post({ jsonrpc: '2.0', id: 'sub-1', method: 'resources/subscribe', params: { uri: 'notes://n1' } }, bearer, sessionId)).body?.result).toEqual({});
    expect((await rpc('resources/subscribe', { uri: 'notes://BAD' }))?.error).toMatchObject({ code: -32602, data: { variable: 'id' } });
    expect((await rpc('resources/subscribe', { uri: 'nothing://here' }))?.error).toMatchObject({ code: -32002 });
    const get = await SELF.fetch(URL_RES, { headers: { Accept: 'text/event-stream', Authorization: `Bearer ${bearer}`, 'Mcp-Session-Id': sessionId } });
    expect(get.status).toBe(200);
    const events = sse(get);
    const written = await post({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'writeNote', arguments: { id: 'n1', text: 'hello' } } }, bearer, sessionId);
    expect(written.body?.result?.structuredContent).toEqual({ notified: true });
    expect((await events.next())?.data).toEqual({ jsonrpc: '2.0', method: 'notifications/resources/updated', params: { uri: 'notes://n1' } });
    await events.cancel();
    expect((await rpc(...read('notes://n1')))?.result).toEqual({ contents: [{ uri: 'notes://n1', mimeType: 'text/plain', text: 'hello' }] });
    // Only the accepted subscription is stored, with the id of the request that opened it.
    const other = await post({ jsonrpc: '2.0', id: 8, method: 'tools/call', params: { name: 'writeNote', arguments: { id: 'BAD', text: 'x' } } }, bearer, sessionId);
    expect(other.body?.result?.structuredContent).toEqual({ notified: false });
  });
});

describe('@resource declarations and URI templates', () => {
  const decorate = (options: unknown) => () => (resource as (o: unknown) => (v: unknown, c: unknown) => void)(options)(function m() {}, { kind: 'method', name: 'm' });

  it('@resource refuses bad declarations with a message saying what to do', () => {
    expect(decorate(undefined)).toThrow('@resource(options): options must be an object');
    expect(decorate({})).toThrow('give exactly one of uri');
    expect(decorate({ uri: 'a://b', uriTemplate: 'a://{b}' })).toThrow('give exactly one of uri');
    expect(decorate({ uri: 'no-scheme' })).toThrow('uri must be an absolute URI');
    expect(decorate({ uri: 'a://{b}' })).toThrow('a templated one is uriTemplate');
    expect(decorate({ uri: `a://${'x'.repeat(2048)}` })).toThrow('at most 2048 characters');
    expect(decorate({ uri: 'a://b', name: 'has space' })).toThrow("name 'has space' must match");
    expect(decorate({ uri: 'a://b', mimeType: 'text' })).toThrow("mimeType 'text' is not a MIME type");
    expect(decorate({ uriTemplate: 'a://{a}{b}' })).toThrow('two variables with nothing between them');
    expect(decorate({ uriTemplate: '{a}://x' })).toThrow('must start with a literal scheme');
    expect(decorate({ uriTemplate: 'a://{a,b}' })).toThrow("'{a,b}' is not supported; use {name} or {+name}");
    expect(decorate({ uriTemplate: 'a://{#a}' })).toThrow("'{#a}' is not supported");
    expect(decorate({ uriTemplate: 'a://{a}/{a}' })).toThrow("uses variable 'a' twice");
    expect(decorate({ uriTemplate: 'a://{a' })).toThrow("unclosed '{'");
    expect(decorate({ uriTemplate: 'a://x}' })).toThrow('unmatched brace');
    expect(decorate({ uriTemplate: 'a://b c/{a}' })).toThrow('not allowed outside {…}');
    expect(decorate({ uriTemplate: 'a://fixed' })).toThrow('has no {variable}; use uri');
    expect(decorate({ uriTemplate: `a://{a}${'x'.repeat(MAX_TEMPLATE_LENGTH)}` })).toThrow(`1..${MAX_TEMPLATE_LENGTH} characters`);
    const many = `a://${Array.from({ length: MAX_TEMPLATE_VARIABLES + 1 }, (_, i) => `{v${i}}`).join('-')}`;
    expect(decorate({ uriTemplate: many })).toThrow(`more than ${MAX_TEMPLATE_VARIABLES} variables`);
    expect(decorate({ uriTemplate: 'a://{id}', args: { type: 'object', properties: { other: { type: 'string' } } } })).toThrow("args names 'other', which is not a variable of 'a://{id}'");
    expect(decorate({ uriTemplate: 'a://{id}', args: { type: 'string' } })).toThrow('must have type "object"');
  });

  it('matching is anchored at both ends; each variable takes the shortest text up to the next literal', () => {
    const t = parseUriTemplate('a://{x}-{y}.txt', 'test');
    expect(matchUriTemplate(t, 'a://1-2-3.txt')).toEqual({ vars: { x: '1', y: '2-3' } });
    expect(matchUriTemplate(t, 'a://1-2.txt.bak')).toBeUndefined();
    expect(matchUriTemplate(t, 'xa://1-2.txt')).toBeUndefined();
    expect(matchUriTemplate(t, 'a://-2.txt')).toBeUndefined();
    expect(matchUriTemplate(t, 'a://1-.txt')).toBeUndefined();
    // A long URI with many near-misses is refused without backtracking.
    const many = parseUriTemplate('a://{a}-{b}-{c}-{d}!', 'test');
    expect(matchUriTemplate(many, `a://${'-'.repeat(2000)}`)).toBeUndefined();
    expect(matchUriTemplate(many, `a://1-2-3-${'4-'.repeat(900)}!`)).toEqual({ vars: { a: '1', b: '2', c: '3', d: `${'4-'.repeat(900)}` } });
  });
});
