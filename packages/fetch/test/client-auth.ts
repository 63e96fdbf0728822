/**
 * Simulated auth for the browser-client test (spec fetch §9 item 24): fetch sits below
 * @lumenize/auth's real middleware in these tests, so this hook plays the middleware's part of the
 * mesh header contract: it reads the JWT-shaped token from the `lmz.access-token.<jwt>`
 * subprotocol and sets `X-Auth-User-Id`, `X-Auth-Claims` and `X-Auth-Token-Exp`. Tokens are
 * "signed" with a fixed marker; real signatures are auth's own tests.
 */
const SIGNATURE = 'fetch-test-signature';
const PREFIX = 'lmz.access-token.';

const b64url = (value: unknown) => btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

function fromB64url(text: string): unknown {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  return JSON.parse(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)));
}

/** A token for `userId`, valid for an hour. */
export function makeToken(userId: string): string {
  return `${b64url({ alg: 'sim', typ: 'JWT' })}.${b64url({ sub: userId, exp: Math.floor(Date.now() / 1000) + 3600 })}.${SIGNATURE}`;
}

/** Upgrade hook: 401 unless the subprotocol carries a token made by {@link makeToken}. */
export function onBeforeConnect(request: Request): Request | Response {
  const offered = (request.headers.get('Sec-WebSocket-Protocol') ?? '').split(',').map((p) => p.trim());
  const token = offered.find((p) => p.startsWith(PREFIX))?.slice(PREFIX.length);
  const parts = token?.split('.') ?? [];
  let claims: { sub?: unknown; exp?: unknown } = {};
  try {
    if (parts.length === 3 && parts[2] === SIGNATURE) claims = fromB64url(parts[1]) as typeof claims;
  } catch {
    claims = {};
  }
  if (typeof claims.sub !== 'string' || typeof claims.exp !== 'number') return new Response('Unauthorized', { status: 401 });
  const headers = new Headers(request.headers);
  headers.set('X-Auth-User-Id', claims.sub);
  headers.set('X-Auth-Claims', JSON.stringify({}));
  headers.set('X-Auth-Token-Exp', String(claims.exp));
  return new Request(request, { headers });
}
