/** Response-side cookie helpers: parse `Set-Cookie`, serialize, and match a cookie to a URL. */
import type { Cookie } from './types.ts';

const SAME_SITE: Record<string, Cookie['sameSite']> = { strict: 'Strict', lax: 'Lax', none: 'None' };
const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/**
 * Parses one `Set-Cookie` header. The value is everything after the first `=` (so `a=b=c` keeps
 * `b=c`); unknown or malformed attributes are ignored. Returns `null` when there is no name.
 * @example parseSetCookie('sid=abc=def; Path=/; HttpOnly') // { name: 'sid', value: 'abc=def', path: '/', httpOnly: true }
 */
export function parseSetCookie(header: string): Cookie | null {
  if (typeof header !== 'string' || header === '') return null;
  const [pair, ...attributes] = header.split(';');
  const eq = pair.indexOf('=');
  if (eq === -1) return null;
  const name = pair.slice(0, eq).trim();
  if (name === '') return null;
  const cookie: Cookie = { name, value: pair.slice(eq + 1).trim() };
  for (const attribute of attributes) {
    const i = attribute.indexOf('=');
    const key = (i === -1 ? attribute : attribute.slice(0, i)).trim().toLowerCase();
    const value = i === -1 ? '' : attribute.slice(i + 1).trim();
    switch (key) {
      case 'domain': {
        const domain = value.replace(/^\./, '').toLowerCase();
        if (domain) cookie.domain = domain;
        break;
      }
      case 'path':
        if (value.startsWith('/')) cookie.path = value;
        break;
      case 'expires': {
        const time = Date.parse(value);
        if (!Number.isNaN(time)) cookie.expires = new Date(time);
        break;
      }
      case 'max-age':
        if (/^-?\d+$/.test(value)) cookie.maxAge = Number(value);
        break;
      case 'samesite': {
        const sameSite = SAME_SITE[value.toLowerCase()];
        if (sameSite) cookie.sameSite = sameSite;
        break;
      }
      case 'secure':
        cookie.secure = true;
        break;
      case 'httponly':
        cookie.httpOnly = true;
        break;
    }
  }
  return cookie;
}

/**
 * Parses several `Set-Cookie` headers, dropping malformed ones.
 * @example parseSetCookies(response.headers.getSetCookie())
 */
export function parseSetCookies(headers: readonly string[]): Cookie[] {
  return headers.map(parseSetCookie).filter((c): c is Cookie => c !== null);
}

/**
 * Serializes cookies as a request `Cookie` header value (`a=1; b=2`).
 * @example serializeCookies([{ name: 'a', value: '1' }]) // 'a=1'
 */
export function serializeCookies(cookies: readonly Pick<Cookie, 'name' | 'value'>[]): string {
  return cookies.map((c) => `${c.name}=${c.value}`).join('; ');
}

/**
 * When the cookie expires, in ms since the epoch: `Max-Age` (relative to `storedAt`) wins over
 * `Expires`; `undefined` for session cookies.
 */
export function cookieExpiry(cookie: Cookie, storedAt = Date.now()): number | undefined {
  if (cookie.maxAge !== undefined) return cookie.maxAge <= 0 ? -Infinity : storedAt + cookie.maxAge * 1000;
  return cookie.expires?.getTime();
}

/** True when the cookie has expired (a `Max-Age` of zero or less is expired at once). */
export function isCookieExpired(cookie: Cookie, now = Date.now()): boolean {
  if (cookie.maxAge !== undefined) return cookie.maxAge <= 0; // Max-Age wins over Expires
  const expiry = cookie.expires?.getTime();
  return expiry !== undefined && expiry <= now;
}

/** RFC 6265 §5.1.3: host equals the domain or is a subdomain of it on a dot boundary. */
export function domainMatches(host: string, domain: string): boolean {
  return host === domain || (host.endsWith(`.${domain}`) && !/^[\d.]+$/.test(host));
}

/** RFC 6265 §5.1.4: `/foo` matches `/foo`, `/foo/` and `/foo/bar` but not `/foobar`. */
export function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath.charAt(cookiePath.length) === '/';
}

/**
 * True when `cookie` should be sent to `host` + `path`: not expired, domain (host-only cookies:
 * exact host) and path match, and `Secure` only over secure transport or to a loopback host.
 * @example cookieMatches({ name: 'a', value: '1', domain: 'example.com' }, 'a.example.com', '/') // true
 */
export function cookieMatches(cookie: Cookie, host: string, path: string, isSecure = true): boolean {
  if (isCookieExpired(cookie)) return false;
  const h = host.toLowerCase();
  if (cookie.secure && !isSecure && !LOOPBACK.has(h)) return false;
  if (cookie.domain !== undefined) {
    const domain = cookie.domain.toLowerCase();
    if (cookie.hostOnly ? h !== domain : !domainMatches(h, domain)) return false;
  }
  return pathMatches(path || '/', cookie.path ?? '/');
}
