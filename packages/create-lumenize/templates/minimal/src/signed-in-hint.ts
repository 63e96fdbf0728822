/**
 * A readable "worth asking for a token" cookie next to the HttpOnly refresh cookie. The page cannot
 * see the refresh cookie, so without a hint every signed-out page load would POST
 * /auth/refresh-token, get 401, and the browser console would log that 401 as an error. The hint
 * holds no secret: it only mirrors whether (and for how long) a refresh cookie was set.
 */

/** Name of the hint cookie (read by web/main.ts). */
export const SIGNED_IN_HINT = 'lmz-signed-in';

/**
 * Adds a `lmz-signed-in` cookie for every refresh cookie the auth routes set or clear.
 * @example return withSignedInHint(await authRoutes(request));
 */
export function withSignedInHint(response: Response): Response {
  const refresh = response.headers.getSetCookie().filter((c) => c.startsWith('refresh-token='));
  if (refresh.length === 0) return response;
  const out = new Response(response.body, response);
  for (const cookie of refresh) {
    const cleared = /^refresh-token=;/.test(cookie);
    const maxAge = cleared ? 0 : Number(/Max-Age=(\d+)/i.exec(cookie)?.[1] ?? 0);
    out.headers.append('Set-Cookie', `${SIGNED_IN_HINT}=${maxAge > 0 ? '1' : ''}; Path=/; Secure; SameSite=Strict; Max-Age=${maxAge}`);
  }
  return out;
}
