/** Internal: the `refresh-token` cookie (spec §3.5), read with the shared utils parser. */
import { getCookieValue } from '@lumenize/utils';

export const REFRESH_COOKIE = 'refresh-token';

/** `refresh-token=<token>; Path=<prefix>; HttpOnly; Secure; SameSite=Strict; Max-Age=<ttl>`. */
export function refreshCookie(token: string, prefix: string, maxAgeSeconds: number): string {
  return `${REFRESH_COOKIE}=${token}; Path=${prefix}; HttpOnly; Secure; SameSite=Strict; Max-Age=${Math.floor(maxAgeSeconds)}`;
}

/** Same name, path and flags, empty value, `Max-Age=0`. */
export function clearRefreshCookie(prefix: string): string {
  return refreshCookie('', prefix, 0);
}

/** The refresh token from a request: everything after the first `=`; the first of duplicates wins. */
export function readRefreshToken(request: Request): string | null {
  const value = getCookieValue(request.headers.get('Cookie'), REFRESH_COOKIE);
  return value === null || value === '' ? null : value;
}
