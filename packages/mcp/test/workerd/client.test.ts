/**
 * The MCP client (`this.svc.mcp.client(url)`, issue 20 item 3) inside workerd, offline: a DO (and a
 * Worker) calls tools on OUR OWN svc.mcp server — this test Worker's `/mcp` route, reached through
 * the MCP_UPSTREAM service binding — with the exchange in McpClientExecutor, off the DO's clock.
 * Handlers record every call in the DO's KV; tests poll that state (never sleep on it).
 *
 * Requirement → test:
 * list tools → 'listTools delivers every tool…'; call valid → 'callTool with valid arguments…'
 * (JSON reply) and 'a tool that answers over an SSE reply…';
 * bearer auth → '…the bearer token reaches the server's auth' and 'no bearer token → HTTP_ERROR 401';
 * invalid args (path named) → 'invalid arguments…'; unknown tool → 'an unknown tool…';
 * tool isError → 'a tool that throws…'; HTTP 500 → 'an upstream answering HTTP 500…';
 * server down → 'a dead server…'; off the clock → 'off the DO\'s clock…'; timeout → 'the executor's
 * deadline…' and 'the watchdog…'; size limit → 'responses past maxResponseBytes…'; exactly once →
 * 'a duplicate delivery…' and the watchdog test; bad input → 'bad input throws…'; no open relay →
 * 'the executor refuses…'; malformed hand-off → 'a malformed hand-off…'; another server with an
 * outputSchema → 'another server (not ours)…' and 'checks structuredContent…';
 * Worker-originated → 'a LumenizeWorker lists and calls tools…'.
 */
import { env, evictDurableObject } from 'cloudflare:test';
import { Validator } from '@cfworker/json-schema';
import { useJsonSchemaValidator } from '@lumenize/mesh';
import { describe as group, expect, it } from 'vitest';
import type { ClientDelivery } from '../client-nodes.ts';
import type { McpClientOptions } from '../../src/index.ts';
import { meshOutputSchemaValidator } from '../../src/client/output-schemas.ts';
import { token } from './helpers.ts';

const SERVER = 'https://mcp.test/mcp';
let n = 0;
const unique = (label: string) => `${label}-${++n}-${crypto.randomUUID().slice(0, 8)}`;
const origin = (name: string) => env.MCP_CLIENT_DO.getByName(name);
const holds = () => env.MCP_HOLD.getByName('holds');

async function ours(extra: McpClientOptions = {}): Promise<McpClientOptions> {
  return { bearerToken: await token('alice'), outboundBinding: 'MCP_UPSTREAM', ...extra };
}

/** What the handlers recorded under `tag` so far. */
async function recorded(name: string, tag: string): Promise<ClientDelivery[]> {
  return (await origin(name).deliveries(tag)) as unknown as ClientDelivery[];
}

/** Waits until `tag` has `count` deliveries (state polled), then returns them. */
async function deliveries(name: string, tag: string, count = 1): Promise<ClientDelivery[]> {
  await expect.poll(async () => (await recorded(name, tag)).length, { timeout: 20_000, interval: 10 }).toBeGreaterThanOrEqual(count);
  return recorded(name, tag);
}

async function heldUntil(key: string): Promise<void> {
  await expect.poll(async () => (await holds().held()).includes(key), { timeout: 20_000, interval: 10 }).toBe(true);
}

group('MCP client from a LumenizeDO, against our own svc.mcp server', () => {
  it('listTools delivers every tool with its input schema; the handler runs once and nothing is left stored', async () => {
    const name = unique('list');
    const id = await origin(name).listVia(SERVER, await ours(), 't');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const [d] = await deliveries(name, 't');
    expect(d.kind).toBe('tools');
    expect(d.toolNames).toEqual(expect.arrayContaining(['add', 'greet', 'repeat', 'tag', 'whoami', 'count', 'fail']));
    const add = (d.tools as Array<{ name: string; inputSchema: { type: string; properties: Record<string, unknown> } }>).find((t) => t.name === 'add');
    expect(add?.inputSchema).toMatchObject({ type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } } });
    expect(await recorded(name, 't')).toHaveLength(1);
    // The pending record was claimed and the watchdog cancelled.
    expect(await origin(name).clientRows()).toEqual({ pending: 0, watchdogs: 0 });
  });

  it('callTool with valid arguments delivers the CallToolResult, and the bearer token reaches the server\'s auth', async () => {
    const name = unique('call');
    await origin(name).callVia(SERVER, await ours(), 'add', 'add', { a: 2, b: 3 });
    await origin(name).callVia(SERVER, await ours(), 'who', 'whoami', {});
    const [sum] = await deliveries(name, 'add');
    expect(sum).toMatchObject({ kind: 'result', result: { content: [{ type: 'text', text: '5' }] } });
    const [who] = await deliveries(name, 'who');
    expect(who).toMatchObject({ kind: 'result', result: { structuredContent: { userId: 'alice' } } });
    expect(await origin(name).clientRows()).toEqual({ pending: 0, watchdogs: 0 });
  });

  it('a tool that answers over an SSE reply (progress events, then the result) is delivered once', async () => {
    const name = unique('sse');
    await origin(name).callVia(SERVER, await ours(), 't', 'count', { n: 3 });
    const [d] = await deliveries(name, 't');
    expect(d).toMatchObject({ kind: 'result', result: { content: [{ type: 'text', text: 'counted to 3' }] } });
    expect(await recorded(name, 't')).toHaveLength(1);
  });

  it('invalid arguments → McpClientError RPC_ERROR -32602 whose message and data name the tool and the path', async () => {
    const name = unique('invalid');
    await origin(name).callVia(SERVER, await ours(), 't', 'add', { a: 'two', b: 3 });
    const [d] = await deliveries(name, 't');
    expect(d.kind).toBe('error');
    expect(d.error).toMatchObject({ name: 'McpClientError', isMcpClientError: true, code: 'RPC_ERROR', rpcCode: -32602, tool: 'add', ambiguous: false });
    expect(d.error!.message).toContain('-32602');
    expect(d.error!.message).toContain('add');
    expect(d.error!.data).toMatchObject({ tool: 'add', argIndex: 0 });
    expect(JSON.stringify((d.error!.data as { path: unknown }).path)).toContain('a');
  });

  it('an unknown tool → RPC_ERROR -32602 naming the tool', async () => {
    const name = unique('unknown');
    await origin(name).callVia(SERVER, await ours(), 't', 'no_such_tool', {});
    const [d] = await deliveries(name, 't');
    expect(d.error).toMatchObject({ code: 'RPC_ERROR', rpcCode: -32602, tool: 'no_such_tool' });
    expect(d.error!.message).toContain('Unknown tool: no_such_tool');
  });

  it('a tool that throws (isError: true) → TOOL_ERROR carrying the tool\'s text and result', async () => {
    const name = unique('toolerr');
    await origin(name).callVia(SERVER, await ours(), 't', 'fail', {});
    const [d] = await deliveries(name, 't');
    expect(d.error).toMatchObject({ code: 'TOOL_ERROR', tool: 'fail', result: { isError: true } });
    expect(d.error!.message).toContain('boom');
  });

  it('no bearer token → HTTP_ERROR 401 from the server\'s auth', async () => {
    const name = unique('noauth');
    await origin(name).listVia(SERVER, { outboundBinding: 'MCP_UPSTREAM' }, 't');
    const [d] = await deliveries(name, 't');
    expect(d.error).toMatchObject({ code: 'HTTP_ERROR', status: 401, url: SERVER });
  });

  it('responses past maxResponseBytes → RESPONSE_TOO_LARGE, and the exchange stops', async () => {
    const name = unique('big');
    await origin(name).listVia(SERVER, await ours({ maxResponseBytes: 300 }), 't');
    const [d] = await deliveries(name, 't');
    expect(d.error).toMatchObject({ code: 'RESPONSE_TOO_LARGE' });
    expect(d.error!.message).toContain('300-byte');
  });

  it('another server (not ours) whose tool declares an outputSchema: listTools (output schemas go to the mesh validator, not Ajv) and callTool deliver', async () => {
    const name = unique('tiny');
    await origin(name).listVia('https://tiny.test/mcp', { outboundBinding: 'MCP_TINY' }, 'list');
    await origin(name).callVia('https://tiny.test/mcp', { outboundBinding: 'MCP_TINY' }, 'call', 'point', {});
    const [list] = await deliveries(name, 'list');
    expect(list).toMatchObject({ kind: 'tools', toolNames: ['point'] });
    expect((list.tools as Array<{ outputSchema?: unknown }>)[0].outputSchema).toMatchObject({ type: 'object', required: ['x'] });
    const [call] = await deliveries(name, 'call');
    expect(call).toMatchObject({ kind: 'result', result: { structuredContent: { x: 1 } } });
  });

  it('a duplicate delivery after the handler ran is dropped: the handler runs exactly once', async () => {
    const name = unique('dup');
    const id = await origin(name).callVia(SERVER, await ours(), 't', 'add', { a: 1, b: 1 });
    await deliveries(name, 't');
    await origin(name).redeliver(id, 'a second copy');
    await origin(name).redeliver(id, 'a third copy');
    const all = await recorded(name, 't');
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ kind: 'result', result: { content: [{ text: '2' }] } });
  });
});

group('MCP client failures that are not the server\'s answer', () => {
  it('an upstream answering HTTP 500 → HTTP_ERROR with status 500 and the body quoted', async () => {
    const name = unique('500');
    await origin(name).listVia('https://faulty.test/500', { outboundBinding: 'MCP_FAULTY' }, 't');
    const [d] = await deliveries(name, 't');
    expect(d.error).toMatchObject({ code: 'HTTP_ERROR', status: 500 });
    expect(d.error!.message).toContain('upstream exploded');
  });

  it('a dead server (the connection fails) → NETWORK_ERROR', async () => {
    const name = unique('down');
    // Nothing listens on the loopback discard port: a real refused connection, still offline.
    await origin(name).callVia('http://127.0.0.1:9/mcp', {}, 't', 'add', { a: 1, b: 2 });
    const [d] = await deliveries(name, 't');
    expect(d.error).toMatchObject({ code: 'NETWORK_ERROR', tool: 'add' });
    expect(d.error!.message).toContain('could not be reached');
  });

  it('a missing outbound binding → NETWORK_ERROR naming it', async () => {
    const name = unique('nobinding');
    await origin(name).listVia(SERVER, { outboundBinding: 'NO_SUCH_BINDING' }, 't');
    const [d] = await deliveries(name, 't');
    expect(d.error).toMatchObject({ code: 'NETWORK_ERROR' });
    expect(d.error!.message).toContain("'NO_SUCH_BINDING'");
  });

  it('the executor\'s deadline: a server that does not answer within timeout → TIMEOUT (ambiguous)', async () => {
    const name = unique('deadline');
    const key = unique('k');
    await origin(name).listVia(`https://faulty.test/hold/${key}`, { outboundBinding: 'MCP_FAULTY', timeout: 300 }, 't');
    const [d] = await deliveries(name, 't');
    expect(d.error).toMatchObject({ code: 'TIMEOUT', ambiguous: true });
    expect(d.error!.message).toContain('300 ms');
    await holds().release(key);
    expect(await origin(name).clientRows()).toEqual({ pending: 0, watchdogs: 0 });
  });

  it('the watchdog: when no result arrives, it answers TIMEOUT; the late result is dropped (handler once)', async () => {
    const name = unique('watchdog');
    const key = unique('k');
    const id = await origin(name).listVia(`https://faulty.test/hold/${key}`, { outboundBinding: 'MCP_FAULTY', timeout: 60_000 }, 't');
    await heldUntil(key);
    expect(await origin(name).clientRows()).toEqual({ pending: 1, watchdogs: 1 });
    // Time is driven: the watchdog schedule runs now instead of in 65 s.
    expect(await origin(name).fireNextAlarm()).toEqual([`__lmz_mcp_client:${id}`]);
    const [d] = await deliveries(name, 't');
    expect(d.error).toMatchObject({ code: 'TIMEOUT', ambiguous: true });
    expect(d.error!.message).toContain(id);
    expect(await origin(name).clientRows()).toEqual({ pending: 0, watchdogs: 0 });
    // The executor's late answer (and any copy) finds nothing to run.
    await holds().release(key);
    await origin(name).redeliver(id, 'late');
    expect(await recorded(name, 't')).toHaveLength(1);
  });

  it('off the DO\'s clock: the DO is evicted while the server holds the request; a fresh instance runs the handler once', async () => {
    const name = unique('evict');
    const key = unique('k');
    const before = await origin(name).instanceId();
    await origin(name).listVia(`https://faulty.test/hold/${key}`, { outboundBinding: 'MCP_FAULTY', timeout: 60_000 }, 't');
    await heldUntil(key);
    // The DO holds no pending I/O for the request, so it can be evicted while the server waits.
    await evictDurableObject(origin(name));
    await holds().release(key);
    const [d] = await deliveries(name, 't');
    expect(d.error).toMatchObject({ code: 'HTTP_ERROR', status: 503 });
    expect(d.instance).not.toBe(before);
    expect(await recorded(name, 't')).toHaveLength(1);
    expect(await origin(name).clientRows()).toEqual({ pending: 0, watchdogs: 0 });
  });

  it('the executor refuses a caller that is not the origin DO named in the message (no open relay)', async () => {
    const name = unique('hostile');
    await origin(name).hostileHandOff('t');
    const [d] = await deliveries(name, 't');
    expect(d.error).toMatchObject({ code: 'REFUSED' });
    expect(d.error!.message).toContain('nothing was sent');
  });
});

group('MCP client executor input', () => {
  it('a malformed hand-off is refused with a TypeError naming the field; nothing is sent', async () => {
    const name = unique('malformed');
    await origin(name).hostileHandOff('t', true);
    const [d] = await deliveries(name, 't');
    expect(d.error).toMatchObject({ name: 'TypeError', isMcpClientError: false });
    expect(d.error!.message).toContain('executeMcp: invalid message: reqId must be a non-empty string');
  });
});

group('MCP client output-schema checker (what the SDK Client uses instead of Ajv)', () => {
  it('checks structuredContent with the JSON Schema validator installed in mesh, naming the path', () => {
    useJsonSchemaValidator(Validator);
    const check = meshOutputSchemaValidator.getValidator<{ x: number }>({ type: 'object', properties: { x: { type: 'number' } }, required: ['x'] });
    expect(check({ x: 1 })).toEqual({ valid: true, data: { x: 1 }, errorMessage: undefined });
    const bad = check({ x: 'one' });
    expect(bad.valid).toBe(false);
    expect(bad.errorMessage).toContain('x');
  });
});

group('MCP client bad input', () => {
  const cases: Array<[string, string]> = [
    ['scheme', "scheme 'ftp:' is not allowed"],
    ['relative', 'is not an absolute URL'],
    ['credentials', 'credentials in the URL are refused'],
    ['timeout', 'options.timeout must be a number from 1 to 300000'],
    ['maxResponseBytes', 'options.maxResponseBytes must be a number from 1 to 16777216'],
    ['header', 'without CR, LF or NUL'],
    ['reserved-header', "'Mcp-Session-Id' is set by the MCP transport"],
    ['bearer-and-authorization', 'either options.bearerToken or an Authorization header'],
    ['handler', 'handler must be a continuation made with this.ctn()'],
    ['tool-name', 'name must be a non-empty string'],
    ['args', 'args must be a plain object'],
    ['executor', 'env.NO_SUCH_EXECUTOR is missing'],
  ];
  for (const [kind, message] of cases) {
    it(`bad input throws synchronously with a clear message and stores nothing: ${kind}`, async () => {
      const name = unique(`bad-${kind}`);
      const outcome = await origin(name).tryBad(kind);
      expect(outcome).not.toBe('no error');
      expect((outcome as { message: string }).message).toContain(message);
      expect(await origin(name).clientRows()).toEqual({ pending: 0, watchdogs: 0 });
      expect(await recorded(name, 'bad')).toEqual([]);
    });
  }
});

group('MCP client from a LumenizeWorker', () => {
  it('a LumenizeWorker lists and calls tools (the exchange runs in its own waitUntil); each handler runs once', async () => {
    const recordIn = unique('worker');
    const options = await ours();
    await env.MCP_CLIENT_WORKER.listFromWorker(SERVER, options, recordIn, 'list');
    await env.MCP_CLIENT_WORKER.callFromWorker(SERVER, options, recordIn, 'call', 'repeat', { text: 'ab', times: 3 });
    await env.MCP_CLIENT_WORKER.callFromWorker(SERVER, options, recordIn, 'bad', 'repeat', { text: 'ab', times: 9 });
    const [list] = await deliveries(recordIn, 'list');
    expect(list.toolNames).toContain('repeat');
    const [call] = await deliveries(recordIn, 'call');
    expect(call).toMatchObject({ kind: 'result', result: { content: [{ type: 'text', text: 'ababab' }] } });
    const [bad] = await deliveries(recordIn, 'bad');
    expect(bad.error).toMatchObject({ code: 'RPC_ERROR', rpcCode: -32602, tool: 'repeat' });
    for (const tag of ['list', 'call', 'bad']) expect(await recorded(recordIn, tag)).toHaveLength(1);
  });
});
