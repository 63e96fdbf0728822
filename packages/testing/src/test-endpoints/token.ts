/**
 * The optional test-endpoints token (spec testing §3.9): enforced only when the Worker env defines
 * `TEST_TOKEN`; then the `X-Test-Token` header or the `?token=` query parameter must match.
 */

/** Header that carries the token. */
export const TOKEN_HEADER = 'X-Test-Token';
/** The exact 401 body. */
export const UNAUTHORIZED_TEXT = 'Unauthorized - X-Test-Token header or ?token= query parameter required';

/** The configured token, or undefined when the endpoints are open (no token, or an empty one). */
export function configuredToken(env: unknown): string | undefined {
  const token = (env as { TEST_TOKEN?: unknown } | undefined)?.TEST_TOKEN;
  return typeof token === 'string' && token !== '' ? token : undefined;
}

/** Compares in time that depends only on the lengths, so a wrong token leaks no prefix. */
function sameText(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/** True when the request carries the expected token in the header or the query. */
export function hasToken(request: Request, expected: string): boolean {
  const header = request.headers.get(TOKEN_HEADER);
  if (header !== null && sameText(header, expected)) return true;
  const query = new URL(request.url).searchParams.get('token');
  return query !== null && sameText(query, expected);
}
