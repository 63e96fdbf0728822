/**
 * Simulated auth for the mesh client tests. Mesh sits below @lumenize/auth and may not import it,
 * so these small hooks play the middleware's part of the header contract (mesh spec §6): they read
 * the token from the `lmz.access-token.<jwt>` subprotocol, check it, and set `X-Auth-User-Id`,
 * `X-Auth-Claims` and `X-Auth-Token-Exp`. Tokens are JWT-shaped (so the client can read `exp`) and
 * "signed" with a fixed marker; the real signature check lives in auth's own tests.
 */
const SIGNATURE = 'sim-signature';

function b64url(value: unknown): string {
  return btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromB64url(text: string): unknown {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  return JSON.parse(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)));
}

/** Payload of a simulated token. `forwardExp` overrides the forwarded X-Auth-Token-Exp (tests of 4401). */
export interface SimClaims {
  sub: string;
  exp: number;
  role?: string;
  forwardExp?: number;
}

/** A simulated access token for `userId`, valid for `ttlSeconds`. */
export function makeToken(userId: string, ttlSeconds = 3600, extra: Partial<SimClaims> = {}): string {
  const payload: SimClaims = { sub: userId, exp: Math.floor(Date.now() / 1000) + ttlSeconds, role: 'user', ...extra };
  return `${b64url({ alg: 'sim', typ: 'JWT' })}.${b64url(payload)}.${SIGNATURE}`;
}

/** Reads and checks a simulated token; undefined when it is missing, forged or expired. */
export function verifyToken(token: string | undefined): SimClaims | undefined {
  if (!token) return undefined;
  const parts = token.split('.');
  if (parts.length !== 3 || parts[2] !== SIGNATURE) return undefined;
  try {
    const claims = fromB64url(parts[1]) as SimClaims;
    if (typeof claims.sub !== 'string' || typeof claims.exp !== 'number' || claims.exp * 1000 <= Date.now()) return undefined;
    return claims;
  } catch {
    return undefined;
  }
}

function tokenFromSubprotocols(request: Request): string | undefined {
  const header = request.headers.get('Sec-WebSocket-Protocol') ?? '';
  for (const raw of header.split(',')) {
    const p = raw.trim();
    if (p.startsWith('lmz.access-token.')) return p.slice('lmz.access-token.'.length);
  }
  return undefined;
}

function withIdentity(request: Request, claims: SimClaims): Request {
  const headers = new Headers(request.headers);
  headers.set('X-Auth-User-Id', claims.sub);
  headers.set('X-Auth-Claims', JSON.stringify({ role: claims.role }));
  headers.set('X-Auth-Token-Exp', String(claims.forwardExp ?? claims.exp));
  return new Request(request, { headers });
}

/** Upgrade hook: token from the subprotocol; 401 when missing or invalid. */
export function simOnBeforeConnect(request: Request): Request | Response {
  const claims = verifyToken(tokenFromSubprotocols(request));
  if (!claims) return new Response('Unauthorized', { status: 401 });
  return withIdentity(request, claims);
}

/** HTTP hook: token from `Authorization: Bearer`; 401 when missing or invalid. */
export function simOnBeforeRequest(request: Request): Request | Response {
  const auth = request.headers.get('Authorization') ?? '';
  const claims = verifyToken(auth.startsWith('Bearer ') ? auth.slice(7) : undefined);
  if (!claims) return new Response('Unauthorized', { status: 401 });
  return withIdentity(request, claims);
}

/**
 * `POST /auth/refresh-token`: the `sim_refresh` cookie names the user; `?ttl=` sets the token's
 * lifetime; `?status=` forces an error status (401, 429, 503) to test the client's handling.
 */
export function simRefreshEndpoint(request: Request): Response {
  const url = new URL(request.url);
  if (request.method !== 'POST') return new Response('Method Not Allowed', { status: 405 });
  const forced = url.searchParams.get('status');
  if (forced) return new Response('forced', { status: Number(forced) });
  const cookie = request.headers.get('Cookie') ?? '';
  const user = /(?:^|;\s*)sim_refresh=([^;]+)/.exec(cookie)?.[1];
  if (!user) return new Response('Unauthorized', { status: 401 });
  const ttl = Number(url.searchParams.get('ttl') ?? 3600);
  return Response.json({ access_token: makeToken(decodeURIComponent(user), ttl) });
}
