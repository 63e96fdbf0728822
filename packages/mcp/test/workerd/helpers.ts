/** Raw Streamable HTTP against the test Worker (SELF), with bearer JWTs signed by the test key. */
import { env, SELF } from 'cloudflare:test';
import { importPrivateKey, signJwt } from '@lumenize/auth';
import { generateKeyPairSync } from 'node:crypto';

export const URL_MCP = 'https://mcp.test/mcp';

export async function token(sub: string, privatePem: string = env.JWT_PRIVATE_KEY, claims: Record<string, unknown> = {}): Promise<string> {
  const key = await importPrivateKey(privatePem);
  return signJwt({ ...claims, sub, exp: Math.floor(Date.now() / 1000) + 600 }, key, 'BLUE');
}

/** A token signed by a key the Worker does not trust. */
export async function forgedToken(sub: string): Promise<string> {
  const { privateKey } = generateKeyPairSync('ed25519');
  return token(sub, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
}

export interface Reply {
  status: number;
  sessionId: string | null;
  body: { id?: unknown; result?: Record<string, unknown>; error?: { code: number; message: string; data?: Record<string, unknown> } } | null;
}

export async function post(message: unknown, opts: { bearer?: string; sessionId?: string; headers?: Record<string, string>; raw?: string } = {}): Promise<Reply> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...opts.headers };
  if (opts.bearer) headers.Authorization = `Bearer ${opts.bearer}`;
  if (opts.sessionId) headers['Mcp-Session-Id'] = opts.sessionId;
  const res = await SELF.fetch(URL_MCP, { method: 'POST', headers, body: opts.raw ?? JSON.stringify(message) });
  const text = await res.text();
  return { status: res.status, sessionId: res.headers.get('Mcp-Session-Id'), body: text ? JSON.parse(text) : null };
}

export const initialize = (id: number | string = 1) => ({
  jsonrpc: '2.0',
  id,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw-test', version: '1' } },
});

/** Opens a session as `user`; returns its id and the bearer token. */
export async function open(user = 'alice'): Promise<{ sessionId: string; bearer: string }> {
  const bearer = await token(user);
  const reply = await post(initialize(), { bearer });
  if (reply.status !== 200 || !reply.sessionId) throw new Error(`initialize failed: ${reply.status} ${JSON.stringify(reply.body)}`);
  await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, { bearer, sessionId: reply.sessionId });
  return { sessionId: reply.sessionId, bearer };
}

export const call = (id: number, name: string, args: unknown) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });

/** One server-sent event: its id and its JSON-RPC message. */
export interface SseEvent {
  id: string | undefined;
  data: Record<string, unknown> & { id?: unknown; method?: string; params?: Record<string, unknown>; result?: Record<string, unknown> };
}

/** Reads a `text/event-stream` body event by event (`next()` is `undefined` once the stream ended). */
export function sse(res: Response): { next(): Promise<SseEvent | undefined>; rest(): Promise<SseEvent[]>; cancel(): Promise<void> } {
  if (!res.body) throw new Error(`no body (status ${res.status})`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let ended = false;
  const next = async (): Promise<SseEvent | undefined> => {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const lines = buffer.slice(0, end).split('\n');
        buffer = buffer.slice(end + 2);
        const id = lines.find((l) => l.startsWith('id: '))?.slice(4);
        const data = lines.find((l) => l.startsWith('data: '))?.slice(6);
        return { id, data: data ? JSON.parse(data) : {} };
      }
      if (ended) return undefined;
      const chunk = await reader.read();
      if (chunk.done) ended = true;
      else buffer += chunk.value;
    }
  };
  return {
    next,
    async rest() {
      const all: SseEvent[] = [];
      for (let e = await next(); e; e = await next()) all.push(e);
      return all;
    },
    cancel: () => reader.cancel().catch(() => {}),
  };
}

/** A raw Streamable HTTP request with the session's headers. */
export function send(bearer: string, sessionId: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json, text/event-stream', Authorization: `Bearer ${bearer}`, 'Mcp-Session-Id': sessionId, ...init.headers };
  if (init.body !== undefined) headers['Content-Type'] = 'application/json';
  return SELF.fetch(URL_MCP, { method: init.method ?? (init.body === undefined ? 'GET' : 'POST'), headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
}

/** Opens the session's GET stream. */
export async function openGet(bearer: string, sessionId: string, lastEventId?: string): Promise<Response> {
  return send(bearer, sessionId, { headers: { Accept: 'text/event-stream', ...(lastEventId ? { 'Last-Event-ID': lastEventId } : {}) } });
}
