/** Internal: the identity header contract both middlewares produce (spec §3.11). */
import type { JwtPayload } from './jwt-types.ts';

const REGISTERED = new Set(['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti']);

/** Removes every client-sent `X-Auth-*` header (smuggling defense). */
export function stripAuthHeaders(headers: Headers): void {
  const names: string[] = [];
  headers.forEach((_value, name) => {
    if (name.toLowerCase().startsWith('x-auth-')) names.push(name);
  });
  for (const name of names) headers.delete(name);
}

/** Sets `X-Auth-User-Id`, `X-Auth-Verified`, `X-Auth-Token-Exp` and (when any) `X-Auth-Claims`. */
export function setIdentityHeaders(headers: Headers, payload: JwtPayload & { sub: string; exp: number }): void {
  stripAuthHeaders(headers);
  headers.set('X-Auth-User-Id', payload.sub);
  headers.set('X-Auth-Verified', 'true');
  headers.set('X-Auth-Token-Exp', String(payload.exp));
  const custom = Object.fromEntries(Object.entries(payload).filter(([name]) => !REGISTERED.has(name)));
  if (Object.keys(custom).length > 0) headers.set('X-Auth-Claims', asciiJson(custom));
}

/** JSON with every non-ASCII character escaped, so any claim fits in a header value. */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A `sub` usable as a header value: 1–256 visible ASCII characters. */
export function isHeaderSafeSubject(sub: unknown): sub is string {
  return typeof sub === 'string' && /^[\x21-\x7e]{1,256}$/.test(sub);
}
