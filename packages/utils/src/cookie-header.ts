/** Request-side cookie helpers: read a `Cookie` request header. */

/**
 * Parses a request `Cookie` header into a `Map` of name → value. Values are kept verbatim
 * (including `=` and quotes); the first occurrence of a name wins.
 * @example parseCookieHeader('refresh-token=abc=def; a=1').get('refresh-token') // 'abc=def'
 */
export function parseCookieHeader(header: string | null | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const pair = part.trim();
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).trim();
    if (name !== '' && !cookies.has(name)) cookies.set(name, pair.slice(eq + 1).trim());
  }
  return cookies;
}

/**
 * One cookie's value from a request `Cookie` header, or `null` when absent.
 * @example getCookieValue(request.headers.get('Cookie'), 'refresh-token')
 */
export function getCookieValue(header: string | null | undefined, name: string): string | null {
  return parseCookieHeader(header).get(name) ?? null;
}
