/**
 * The cookie store behind `Browser`: RFC 6265 storage rules (host-only vs domain cookies, default
 * paths, Secure only from secure origins, expiry and deletion) and SameSite-aware selection.
 */
import { cookieMatches, domainMatches, isCookieExpired, parseSetCookie } from './set-cookie.ts';
import type { Cookie } from './types.ts';

/** Why a `Set-Cookie` was not stored (for logs; never includes values). */
export type CookieStoreOutcome =
  | { stored: true; name: string; domain: string; path: string }
  | { stored: false; name: string | undefined; reason: string };

/** A stored cookie always knows its domain, path and whether it is host-only. */
type StoredCookie = Cookie & { domain: string; path: string; hostOnly: boolean };

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** RFC 6265 §5.1.4 default path: the request path's directory. */
export function defaultCookiePath(pathname: string): string {
  if (!pathname.startsWith('/')) return '/';
  const last = pathname.lastIndexOf('/');
  return last <= 0 ? '/' : pathname.slice(0, last);
}

function isSecureScheme(url: URL): boolean {
  return url.protocol === 'https:' || url.protocol === 'wss:';
}

function hostnameOf(url: URL): string {
  return url.hostname.toLowerCase();
}

export class CookieJar {
  #cookies = new Map<string, StoredCookie>();

  static #key(name: string, domain: string, path: string): string {
    return `${name}\u0000${domain}\u0000${path}`;
  }

  /** Stores (or deletes, when expired) the cookies of `Set-Cookie` headers received from `url`. */
  storeFromResponse(setCookieHeaders: readonly string[], url: URL): CookieStoreOutcome[] {
    return setCookieHeaders.map((header) => this.#storeOne(header, url));
  }

  #storeOne(header: string, url: URL): CookieStoreOutcome {
    const cookie = parseSetCookie(header);
    if (!cookie) return { stored: false, name: undefined, reason: 'malformed Set-Cookie' };
    const host = hostnameOf(url);
    let domain = host;
    let hostOnly = true;
    if (cookie.domain !== undefined) {
      if (!cookie.domain.includes('.') && cookie.domain !== 'localhost') {
        return { stored: false, name: cookie.name, reason: `Domain '${cookie.domain}' has no dot` };
      }
      if (!domainMatches(host, cookie.domain)) {
        return { stored: false, name: cookie.name, reason: `Domain '${cookie.domain}' does not cover host '${host}'` };
      }
      domain = cookie.domain;
      hostOnly = false;
    }
    if (cookie.secure && !isSecureScheme(url) && !LOOPBACK.has(host)) {
      return { stored: false, name: cookie.name, reason: 'Secure cookie from an insecure origin' };
    }
    const path = cookie.path ?? defaultCookiePath(url.pathname);
    const key = CookieJar.#key(cookie.name, domain, path);
    if (isCookieExpired(cookie)) {
      this.#cookies.delete(key);
      return { stored: false, name: cookie.name, reason: 'expired (deleted any stored copy)' };
    }
    this.#put({ ...cookie, domain, path, hostOnly });
    return { stored: true, name: cookie.name, domain, path };
  }

  /** Stores a cookie as given, turning a relative `maxAge` into an absolute `expires`. */
  #put(cookie: StoredCookie): void {
    const stored: StoredCookie = { ...cookie };
    if (stored.maxAge !== undefined) {
      stored.expires = new Date(Date.now() + stored.maxAge * 1000);
      delete stored.maxAge;
    }
    const key = CookieJar.#key(stored.name, stored.domain, stored.path);
    if (isCookieExpired(stored)) this.#cookies.delete(key);
    else this.#cookies.set(key, stored);
  }

  /** Sets a cookie directly; without `domain` it is host-only for `defaultHost`. */
  set(name: string, value: string, options: Omit<Cookie, 'name' | 'value' | 'hostOnly'>, defaultHost: string | undefined): void {
    const domain = options.domain?.replace(/^\./, '').toLowerCase() ?? defaultHost;
    if (!domain) {
      throw new Error(`setCookie('${name}'): no domain given and no request made yet; pass { domain: 'example.com' } or call fetch() first`);
    }
    this.#put({ ...options, name, value, domain, path: options.path ?? '/', hostOnly: options.domain === undefined });
  }

  #purge(): void {
    for (const [key, cookie] of this.#cookies) if (isCookieExpired(cookie)) this.#cookies.delete(key);
  }

  /**
   * Cookies to send to `url`, longest path first. With `crossSite`, SameSite applies: `Strict` and
   * `Lax` (and attribute-less, treated as `Lax`) are withheld, `None` only goes with `Secure`.
   */
  select(url: URL, options: { crossSite?: boolean } = {}): StoredCookie[] {
    this.#purge();
    const host = hostnameOf(url);
    const secure = isSecureScheme(url);
    const matches = [...this.#cookies.values()].filter((c) => {
      if (!cookieMatches(c, host, url.pathname || '/', secure)) return false;
      if (options.crossSite) return c.sameSite === 'None' && c.secure === true;
      return true;
    });
    return matches.sort((a, b) => b.path.length - a.path.length);
  }

  /** The `Cookie` header for `url`, or `null` when nothing matches. */
  header(url: URL, options: { crossSite?: boolean } = {}): string | null {
    const cookies = this.select(url, options);
    return cookies.length ? cookies.map((c) => `${c.name}=${c.value}`).join('; ') : null;
  }

  /** The first live cookie named `name` (optionally on exactly `domain`). */
  get(name: string, domain?: string): StoredCookie | undefined {
    this.#purge();
    const d = domain?.replace(/^\./, '').toLowerCase();
    for (const c of this.#cookies.values()) if (c.name === name && (d === undefined || c.domain === d)) return c;
    return undefined;
  }

  /** Every live cookie (copies). */
  all(): Cookie[] {
    this.#purge();
    return [...this.#cookies.values()].map((c) => ({ ...c }));
  }

  /** Removes cookies named `name`, optionally only on `domain` and/or `path`; true when any went. */
  remove(name: string, domain?: string, path?: string): boolean {
    const d = domain?.replace(/^\./, '').toLowerCase();
    let removed = false;
    for (const [key, c] of this.#cookies) {
      if (c.name === name && (d === undefined || c.domain === d) && (path === undefined || c.path === path)) {
        this.#cookies.delete(key);
        removed = true;
      }
    }
    return removed;
  }
}
