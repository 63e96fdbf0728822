/**
 * `Browser`: a cookie-keeping, redirect-following `fetch` plus a cookie-carrying WebSocket, for
 * tests that need browser behaviour without a browser. Test tooling, not a hardened HTTP client.
 */
import { debug } from '@lumenize/debug';
import { createBrowserContext, type BrowserContext, type BrowserContextOptions, type BrowserRequestInit } from './browser-context.ts';
import { CookieJar } from './cookie-jar.ts';
import { isSameSite } from './site.ts';
import { addMetric, type Cookie, type Metrics } from './types.ts';
import { getWebSocketShim, type WebSocketShimClass } from './websocket-shim.ts';

/** Options of `new Browser(fetchFn, options)`. */
export interface BrowserOptions {
  /** Counters: `httpRequests`, `roundTrips`, `payloadBytesSent`, `payloadBytesReceived`, and the WebSocket keys. */
  metrics?: Metrics;
}

/** How `Browser` sends one logical request (internal to `Browser` and its contexts). */
export interface SendOptions {
  /** Apply SameSite as a cross-site subresource request would. */
  crossSite?: boolean;
  /** Attach cookies and store `Set-Cookie` (false for cross-origin requests without credentials). */
  withCookies?: boolean;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 20;
const log = debug('lmz.utils.Browser');

/** Reads `body` once so it can be replayed on 307/308 hops and counted. */
async function bufferBody(request: Request): Promise<ArrayBuffer | null> {
  return request.body ? await request.arrayBuffer() : null;
}

async function countReceived(response: Response, metrics: Metrics | undefined): Promise<void> {
  if (!metrics || !response.body || response.status === 101) return;
  try {
    addMetric(metrics, 'payloadBytesReceived', (await response.clone().arrayBuffer()).byteLength);
  } catch {
    // Unreadable bodies are skipped.
  }
}

/**
 * A cookie-aware stand-in for a browser: `fetch` sends matching cookies, stores `Set-Cookie` from
 * every hop and follows redirects itself; `WebSocket` upgrades carry the cookies too; `context(origin)`
 * adds `Origin`, CORS validation, preflights and SameSite. Instances never share cookies.
 * @example const browser = new Browser(SELF.fetch.bind(SELF)); await browser.fetch('https://app.test/login');
 */
export class Browser {
  readonly #fetch: typeof fetch;
  readonly #metrics: Metrics | undefined;
  readonly #jar = new CookieJar();
  #lastHost: string | undefined;
  #webSocket: WebSocketShimClass | undefined;

  constructor(fetchFn?: typeof fetch, options: BrowserOptions = {}) {
    const fn = fetchFn ?? (typeof globalThis.fetch === 'function' ? globalThis.fetch.bind(globalThis) : undefined);
    if (typeof fn !== 'function') {
      throw new Error(
        'Browser: no fetch function available. Pass one (new Browser(myFetch)), or run where globalThis.fetch exists; in the Workers test pool pass SELF.fetch.bind(SELF)',
      );
    }
    this.#fetch = fn;
    this.#metrics = options.metrics;
    // Bound once, so `browser.fetch` can be handed to code that calls it detached (as globalThis.fetch can).
    this.fetch = this.fetch.bind(this);
  }

  /**
   * Like `fetch`, with a cookie jar and manual redirect handling (limit 20; `redirect: 'manual'`
   * returns the 3xx, `'error'` throws `TypeError`). Models a top-level navigation: all matching
   * cookies are sent.
   * @example const res = await browser.fetch('https://app.test/api/me');
   */
  fetch(input: RequestInfo | URL, init?: BrowserRequestInit): Promise<Response> {
    return this.#send(input, init, { withCookies: true });
  }

  async #send(input: RequestInfo | URL, init: BrowserRequestInit | undefined, options: SendOptions): Promise<Response> {
    const redirectMode = init?.redirect ?? (input instanceof Request ? input.redirect : 'follow');
    // Fields some runtimes reject (workerd) and that we model ourselves.
    const { redirect: _r, credentials: _c, mode: _m, ...rest } = (init ?? {}) as BrowserRequestInit & { mode?: unknown };
    const first = new Request(input instanceof URL ? input.href : input, rest);
    addMetric(this.#metrics, 'httpRequests');
    let url = new URL(first.url);
    let method = first.method;
    let body = await bufferBody(first);
    const headers = new Headers(first.headers);
    const userCookie = headers.get('Cookie');
    for (let hop = 0; ; hop++) {
      this.#lastHost ??= url.hostname.toLowerCase();
      // Recomputed per hop so one host's cookies never travel to a redirect target.
      const jarCookie = options.withCookies ? this.#jar.header(url, { crossSite: options.crossSite }) : null;
      const cookie = [jarCookie, hop === 0 ? userCookie : null].filter(Boolean).join('; ');
      if (cookie) headers.set('Cookie', cookie);
      else headers.delete('Cookie');
      addMetric(this.#metrics, 'roundTrips');
      if (body) addMetric(this.#metrics, 'payloadBytesSent', body.byteLength);
      const response = await this.#fetch(new Request(url.href, { method, headers, body, redirect: 'manual' }));
      this.#lastHost = url.hostname.toLowerCase();
      if (options.withCookies) this.#storeCookies(response, url);
      const location = response.headers.get('Location');
      if (!REDIRECTS.has(response.status) || location === null || redirectMode === 'manual') {
        await countReceived(response, this.#metrics);
        return response;
      }
      if (redirectMode === 'error') throw new TypeError(`Browser.fetch: redirect (${response.status}) to ${location} with redirect: 'error'`);
      if (hop + 1 > MAX_REDIRECTS) throw new TypeError(`Browser.fetch: more than ${MAX_REDIRECTS} redirects, last to ${location}`);
      const next = new URL(location, url);
      const switchToGet = (response.status === 303 && method !== 'HEAD') || ((response.status === 301 || response.status === 302) && method === 'POST');
      if (switchToGet) {
        method = 'GET';
        body = null;
        for (const name of [...headers.keys()]) if (name.toLowerCase().startsWith('content-')) headers.delete(name);
      }
      if (next.origin !== url.origin) headers.delete('Authorization');
      log.debug('redirect followed', { status: response.status, from: url.origin + url.pathname, to: next.origin + next.pathname, method });
      await response.body?.cancel();
      url = next;
    }
  }

  #storeCookies(response: Response, url: URL): void {
    const setCookies = response.headers.getSetCookie();
    if (!setCookies.length) return;
    for (const outcome of this.#jar.storeFromResponse(setCookies, url)) {
      if (outcome.stored) log.debug('cookie stored', { name: outcome.name, domain: outcome.domain, path: outcome.path });
      else log.debug('cookie ignored', { name: outcome.name, reason: outcome.reason });
    }
  }

  /** A fetch for the WebSocket shim that attaches and stores cookies for the upgrade. */
  #upgradeFetch(crossSiteFrom?: string): typeof fetch {
    return (async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input instanceof URL ? input.href : input, init);
      const url = new URL(request.url);
      const crossSite = crossSiteFrom !== undefined && !isSameSite(crossSiteFrom, url);
      const headers = new Headers(request.headers);
      const cookie = this.#jar.header(url, { crossSite });
      if (cookie) headers.set('Cookie', cookie);
      this.#lastHost ??= url.hostname.toLowerCase();
      const response = await this.#fetch(new Request(url.href, { method: request.method, headers }));
      this.#storeCookies(response, url);
      return response;
    }) as typeof fetch;
  }

  /**
   * A WebSocket class whose upgrades carry this browser's cookies and no `Origin`.
   * @example const ws = new browser.WebSocket('wss://app.test/my-do/lobby');
   */
  get WebSocket(): WebSocketShimClass {
    this.#webSocket ??= getWebSocketShim(this.#upgradeFetch(), { metrics: this.#metrics });
    return this.#webSocket;
  }

  /**
   * A page context at `origin`: its `fetch` sends `Origin`, preflights non-simple cross-origin
   * requests, validates CORS (throwing `TypeError` with the reason) and applies SameSite; its
   * `WebSocket` sends `Origin` plus `options.headers`.
   * @example const page = browser.context('https://app.test'); await page.fetch('https://api.test/x');
   */
  context(origin: string, options: BrowserContextOptions = {}): BrowserContext {
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      throw new TypeError(`Browser.context: '${origin}' is not an origin such as 'https://app.example.com'`);
    }
    return createBrowserContext({
      origin: parsed.origin,
      options,
      metrics: this.#metrics,
      rawFetch: this.#fetch,
      send: (input, init, sendOptions) => this.#send(input, init, sendOptions),
      WebSocket: getWebSocketShim(this.#upgradeFetch(parsed.origin), {
        headers: { ...Object.fromEntries(new Headers(options.headers)), Origin: parsed.origin },
        maxQueueBytes: options.maxQueueBytes,
        metrics: this.#metrics,
      }),
    });
  }

  /**
   * The `Cookie` header this browser would send to `url` (expired cookies are dropped), or `null`.
   * @example browser.getCookiesForRequest('https://app.test/') // 'session=abc'
   */
  getCookiesForRequest(url: string | URL): string | null {
    return this.#jar.header(new URL(url));
  }

  /**
   * Sets a cookie. Without `options.domain` it is host-only for the host of the last request;
   * with no request yet that throws.
   * @example browser.setCookie('session', 'abc', { domain: 'app.test' });
   */
  setCookie(name: string, value: string, options: Omit<Cookie, 'name' | 'value' | 'hostOnly'> = {}): void {
    this.#jar.set(name, value, options, this.#lastHost);
  }

  /**
   * The value of the cookie `name` (optionally on `domain`), or `undefined`.
   * @example browser.getCookie('session')
   */
  getCookie(name: string, domain?: string): string | undefined {
    return this.#jar.get(name, domain)?.value;
  }

  /**
   * Every live cookie with its attributes.
   * @example browser.getAllCookies().map((c) => c.name)
   */
  getAllCookies(): Cookie[] {
    return this.#jar.all();
  }

  /**
   * Every live cookie as `{ name: value }` (longest path wins on duplicate names).
   * @example browser.getAllCookiesAsObject().session
   */
  getAllCookiesAsObject(): Record<string, string> {
    const result: Record<string, string> = {};
    const cookies = this.#jar.all().sort((a, b) => (a.path ?? '/').length - (b.path ?? '/').length);
    for (const c of cookies) result[c.name] = c.value;
    return result;
  }

  /**
   * Removes the cookie `name` (optionally only on `domain` and `path`); true when one was removed.
   * @example browser.removeCookie('session');
   */
  removeCookie(name: string, domain?: string, path?: string): boolean {
    return this.#jar.remove(name, domain, path);
  }
}
