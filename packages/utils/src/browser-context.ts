/**
 * `Browser.context(origin)`: fetches that behave like a page at `origin` — `Origin` header, CORS
 * preflight for non-simple cross-origin requests, CORS validation of the answers, and SameSite.
 */
import { debug } from '@lumenize/debug';
import type { SendOptions } from './browser.ts';
import { isSameSite } from './site.ts';
import { addMetric, type Metrics } from './types.ts';
import type { WebSocketShimClass } from './websocket-shim.ts';

/**
 * `RequestInit` plus the browser fields Workers' type lacks. `credentials` matters only in a
 * context: `'include'` sends cookies cross-origin and requires `Access-Control-Allow-Credentials`.
 */
export type BrowserRequestInit = RequestInit & { credentials?: 'omit' | 'same-origin' | 'include' };

/** Options of `browser.context(origin, options)`. */
export interface BrowserContextOptions {
  /** Extra headers for the context's WebSocket upgrades. */
  headers?: HeadersInit;
  /** Queue limit for the context's WebSocket while connecting. */
  maxQueueBytes?: number;
}

/** What the last preflight sent and whether it passed. */
export interface PreflightRecord {
  url: string;
  method: string;
  /** The header names listed in `Access-Control-Request-Headers` (lower-case). */
  headers: string[];
  success: boolean;
}

/** A page context returned by `browser.context(origin)`. */
export interface BrowserContext {
  fetch(input: RequestInfo | URL, init?: BrowserRequestInit): Promise<Response>;
  readonly WebSocket: WebSocketShimClass;
  /** The last preflight, or `null` when the last request needed none. */
  readonly lastPreflight: PreflightRecord | null;
}

interface ContextDeps {
  origin: string;
  options: BrowserContextOptions;
  metrics: Metrics | undefined;
  rawFetch: typeof fetch;
  send(input: RequestInfo | URL, init: RequestInit | undefined, options: SendOptions): Promise<Response>;
  WebSocket: WebSocketShimClass;
}

const SIMPLE_METHODS = new Set(['GET', 'HEAD', 'POST']);
const SAFELISTED_HEADERS = new Set(['accept', 'accept-language', 'content-language', 'content-type']);
// Headers the browser itself controls; never part of Access-Control-Request-Headers.
const BROWSER_HEADERS = new Set(['origin', 'cookie', 'host', 'content-length', 'user-agent', 'referer']);
const SIMPLE_CONTENT_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']);
const log = debug('lmz.utils.Browser');

/** Header names that make a request non-simple (lower-case, sorted). */
function nonSimpleHeaders(headers: Headers): string[] {
  const names: string[] = [];
  for (const [name, value] of headers) {
    if (BROWSER_HEADERS.has(name)) continue;
    if (!SAFELISTED_HEADERS.has(name)) names.push(name);
    else if (name === 'content-type' && !SIMPLE_CONTENT_TYPES.has(value.split(';')[0].trim().toLowerCase())) names.push(name);
  }
  return names.sort();
}

function listCovers(allowed: string | null, wanted: string[], credentials: boolean, caseSensitive: boolean): string | undefined {
  const list = (allowed ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (!credentials && list.includes('*')) return undefined;
  const norm = (s: string) => (caseSensitive ? s : s.toLowerCase());
  const set = new Set(list.map(norm));
  return wanted.find((w) => !set.has(norm(w)));
}

/** The CORS problem with `response` for a request from `origin`, or `undefined` when it passes. */
function corsProblem(response: Response, origin: string, credentials: boolean): string | undefined {
  const allowOrigin = response.headers.get('Access-Control-Allow-Origin');
  if (allowOrigin === null) return 'the response has no Access-Control-Allow-Origin header';
  if (allowOrigin === '*') {
    if (credentials) return "Access-Control-Allow-Origin is '*' but the request has credentials";
  } else if (allowOrigin !== origin) {
    return `Access-Control-Allow-Origin '${allowOrigin}' does not match origin '${origin}'`;
  }
  if (credentials && response.headers.get('Access-Control-Allow-Credentials') !== 'true') {
    return 'the request has credentials but Access-Control-Allow-Credentials is not true';
  }
  return undefined;
}

export function createBrowserContext(deps: ContextDeps): BrowserContext {
  const { origin } = deps;
  let lastPreflight: PreflightRecord | null = null;

  // Worded like a browser's own failure ("Failed to fetch"), then the reason a real browser only logs.
  // CORS judges the page's origin; an explicit Origin header only changes what is sent.
  const fail = (reason: string, url: string): never => {
    log.warn('CORS validation failed', { origin, target: new URL(url).origin, reason });
    throw new TypeError(`Failed to fetch: CORS error: request from ${origin} to ${new URL(url).origin} blocked: ${reason}`);
  };

  async function preflight(url: string, method: string, headerNames: string[], credentials: boolean): Promise<void> {
    const record: PreflightRecord = { url, method, headers: headerNames, success: false };
    lastPreflight = record;
    const headers = new Headers({ Origin: origin, 'Access-Control-Request-Method': method });
    if (headerNames.length) headers.set('Access-Control-Request-Headers', headerNames.join(', '));
    addMetric(deps.metrics, 'roundTrips');
    const response = await deps.rawFetch(new Request(url, { method: 'OPTIONS', headers }));
    await response.body?.cancel();
    let problem = response.status < 200 || response.status > 299 ? `preflight answered ${response.status}` : corsProblem(response, origin, credentials);
    if (!problem && !SIMPLE_METHODS.has(method)) {
      const missing = listCovers(response.headers.get('Access-Control-Allow-Methods'), [method], credentials, true);
      if (missing) problem = `method ${method} is not in Access-Control-Allow-Methods`;
    }
    if (!problem) {
      const missing = listCovers(response.headers.get('Access-Control-Allow-Headers'), headerNames, credentials, false);
      if (missing) problem = `header '${missing}' is not in Access-Control-Allow-Headers`;
    }
    if (problem) fail(`preflight failed: ${problem}`, url);
    record.success = true;
  }

  async function contextFetch(input: RequestInfo | URL, init?: BrowserRequestInit): Promise<Response> {
    const credentialsMode = init?.credentials ?? 'same-origin';
    const { credentials: _c, ...rest } = init ?? {};
    const request = new Request(input instanceof URL ? input.href : input, rest);
    const headers = new Headers(request.headers);
    if (!headers.has('Origin')) headers.set('Origin', origin);
    const target = new URL(request.url);
    const crossOrigin = target.origin !== origin;
    const credentials = credentialsMode === 'include' || (!crossOrigin && credentialsMode !== 'omit');
    lastPreflight = null;
    if (crossOrigin) {
      const extra = nonSimpleHeaders(headers);
      if (!SIMPLE_METHODS.has(request.method) || extra.length) await preflight(request.url, request.method, extra, credentials);
    }
    const response = await deps.send(
      request.url,
      { method: request.method, headers, body: request.body ? await request.arrayBuffer() : null, redirect: init?.redirect ?? request.redirect },
      { withCookies: credentials, crossSite: !isSameSite(origin, target) },
    );
    if (crossOrigin) {
      const problem = corsProblem(response, origin, credentials);
      if (problem) fail(problem, request.url);
    }
    return response;
  }

  return {
    fetch: contextFetch,
    WebSocket: deps.WebSocket,
    get lastPreflight() {
      return lastPreflight;
    },
  };
}
