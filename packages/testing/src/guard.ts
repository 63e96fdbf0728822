/**
 * The live-mode guard (spec §5): with a `guardToken`, every RPC route of an instrumented Worker
 * needs `X-Lumenize-Testing-Token` (HTTP) or the subprotocol `lumenize-testing-token.<token>`
 * (WebSocket upgrades, where browsers cannot set headers); else 401.
 */

/** Header carrying the guard token. */
export const GUARD_HEADER = 'X-Lumenize-Testing-Token';
/** Subprotocol prefix carrying the guard token on WebSocket upgrades. */
export const GUARD_PROTOCOL_PREFIX = 'lumenize-testing-token.';

const TOKEN_CHARS = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Throws unless `token` can travel in a header and a subprotocol. */
export function assertGuardToken(token: unknown, where: string): asserts token is string {
  if (typeof token !== 'string' || !TOKEN_CHARS.test(token)) {
    throw new TypeError(`${where}: guardToken must be a non-empty string of token characters (letters, digits, - . _ ~ etc.)`);
  }
}

function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * The request with the guard's subprotocol removed when the token matches, or a 401 `Response`.
 */
export function checkGuard(request: Request, token: string): Request | Response {
  if (constantTimeEqual(request.headers.get(GUARD_HEADER) ?? '', token)) {
    const headers = new Headers(request.headers);
    headers.delete(GUARD_HEADER);
    return new Request(request, { headers });
  }
  const offered = (request.headers.get('Sec-WebSocket-Protocol') ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  const carried = offered.find((p) => p.startsWith(GUARD_PROTOCOL_PREFIX));
  if (carried && constantTimeEqual(carried.slice(GUARD_PROTOCOL_PREFIX.length), token)) {
    const headers = new Headers(request.headers);
    const rest = offered.filter((p) => p !== carried);
    if (rest.length) headers.set('Sec-WebSocket-Protocol', rest.join(', '));
    else headers.delete('Sec-WebSocket-Protocol');
    return new Request(request, { headers });
  }
  return new Response(`Unauthorized: this instrumented test Worker requires the ${GUARD_HEADER} header (createTestingClient's guardToken option)`, { status: 401 });
}
