/**
 * The httpbin-like endpoints (spec testing §3.9). Pure request → Response functions; recording and
 * the token live in the DO. Names follow httpbin where they overlap; delays are milliseconds.
 */
import { ROUTING_HEADERS } from '@lumenize/utils';
import type { HoldRegistry } from './holds.ts';
import { TOKEN_HEADER } from './token.ts';

/** Longest `/delay/{ms}`. */
export const MAX_DELAY_MS = 30_000;
/** Most hops of `/redirect/{n}`. */
export const MAX_REDIRECTS = 20;
/** Largest `/bytes/{n}` body (2 MiB). */
export const MAX_BYTES = 2 * 1024 * 1024;

/** What an endpoint needs besides the request. */
export interface EndpointContext {
  /** Path of the endpoint inside the instance, e.g. `/uuid` (always starts with `/`). */
  path: string;
  /** URL path prefix of this instance, e.g. `/test-endpoints-do/default` ('' when reached directly). */
  base: string;
  holds: HoldRegistry;
}

const SAMPLE_JSON = {
  slideshow: {
    author: 'Yours Truly',
    date: 'date of publication',
    slides: [
      { title: 'Wake up to WonderWidgets!', type: 'all' },
      { items: ['Why <em>WonderWidgets</em> are great', 'Who <em>buys</em> WonderWidgets'], title: 'Overview', type: 'all' },
    ],
    title: 'Sample Slide Show',
  },
};

// Routing headers are added by the Worker, not the caller; the token is a secret.
const HIDDEN_HEADERS = new Set([...Object.values(ROUTING_HEADERS), TOKEN_HEADER].map((h) => h.toLowerCase()));

/** Request headers as a lowercased object, without routing headers and the test token. */
export function visibleHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (!HIDDEN_HEADERS.has(name)) out[name] = value;
  });
  return out;
}

function json(body: unknown, init: ResponseInit = {}): Response {
  return Response.json(body, init);
}

function text(body: string, status: number): Response {
  return new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

function queryArgs(url: URL): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) {
    if (k === 'token') continue;
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/** Reads the body as `data` (text) and `json` (parsed when the content type says JSON). */
async function readBody(request: Request): Promise<{ data: string; json: unknown } | Response> {
  const data = await request.text();
  const type = request.headers.get('content-type') ?? '';
  if (!/\bjson\b/i.test(type) || data === '') return { data, json: null };
  try {
    return { data, json: JSON.parse(data) };
  } catch {
    return text('Invalid JSON', 400);
  }
}

function status(code: string): Response {
  const n = /^\d{3}$/.test(code) ? Number(code) : NaN;
  if (!(n >= 200 && n <= 599)) return text('Invalid status code', 400);
  return new Response(null, { status: n });
}

async function delay(ms: string): Promise<Response> {
  if (!/^\d+$/.test(ms)) return text('Invalid delay value', 400);
  const n = Number(ms);
  if (n > MAX_DELAY_MS) return text(`Delay too long (max ${MAX_DELAY_MS}ms)`, 400);
  await new Promise((resolve) => setTimeout(resolve, n));
  return json({ delay: n, timestamp: new Date().toISOString() });
}

function bytes(count: string): Response {
  const n = /^\d+$/.test(count) ? Number(count) : NaN;
  if (!(n >= 0 && n <= MAX_BYTES)) return text(`Invalid byte count (0-${MAX_BYTES})`, 400);
  // A fixed pattern, so a test can rebuild the expected body (httpbin's are random).
  const body = new Uint8Array(n);
  for (let i = 0; i < n; i++) body[i] = (i * 31 + 7) & 0xff;
  return new Response(body, { headers: { 'content-type': 'application/octet-stream' } });
}

function redirect(count: string, base: string): Response {
  const n = /^\d+$/.test(count) ? Number(count) : NaN;
  if (!(n >= 1 && n <= MAX_REDIRECTS)) return text(`Invalid redirect count (1-${MAX_REDIRECTS})`, 400);
  const next = n === 1 ? `${base}/anything` : `${base}/redirect/${n - 1}`;
  return new Response(null, { status: 302, headers: { location: next } });
}

function cookies(request: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (request.headers.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

function setCookies(url: URL, base: string): Response {
  const headers = new Headers({ location: `${base}/cookies` });
  for (const [name, value] of url.searchParams) {
    if (name !== 'token') headers.append('set-cookie', `${name}=${value}; Path=/`);
  }
  return new Response(null, { status: 302, headers });
}

async function anything(request: Request, url: URL): Promise<Response> {
  const body = await readBody(request);
  if (body instanceof Response) return body;
  return json({ method: request.method, url: request.url, args: queryArgs(url), headers: visibleHeaders(request.headers), ...body });
}

/** Answers one endpoint request. Unknown paths get 404 `Not Found`. */
export async function answer(request: Request, ctx: EndpointContext): Promise<Response> {
  const url = new URL(request.url);
  const [, first = '', second, ...rest] = ctx.path.split('/');
  const get = request.method === 'GET' || request.method === 'HEAD';
  if (rest.length === 0) {
    if (first === 'uuid' && get && second === undefined) return json({ uuid: crypto.randomUUID() });
    if (first === 'json' && get && second === undefined) return json(SAMPLE_JSON);
    if (first === 'headers' && get && second === undefined) return json({ headers: visibleHeaders(request.headers) });
    if (first === 'status' && second !== undefined) return status(second);
    if (first === 'delay' && get && second !== undefined) return delay(second);
    if (first === 'bytes' && get && second !== undefined) return bytes(second);
    if (first === 'redirect' && get && second !== undefined) return redirect(second, ctx.base);
    if (first === 'cookies' && get && second === undefined) return json({ cookies: cookies(request) });
    if (first === 'cookies' && get && second === 'set') return setCookies(url, ctx.base);
    if (first === 'hold' && second !== undefined && second !== '') {
      const released = await ctx.holds.wait(decodeURIComponent(second));
      return json({ hold: decodeURIComponent(second), released });
    }
    if (first === 'echo' && request.method === 'POST' && second === undefined) {
      const body = await readBody(request);
      if (body instanceof Response) return body;
      return json({
        args: queryArgs(url),
        ...body,
        files: {},
        form: {},
        headers: visibleHeaders(request.headers),
        origin: request.headers.get('cf-connecting-ip') ?? '',
        url: request.url,
      });
    }
  }
  if (first === 'anything') return anything(request, url);
  return text('Not Found', 404);
}
