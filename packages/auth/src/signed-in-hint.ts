/**
 * The signed-in hint (`AuthConfig.signedInHint`): a readable cookie set and cleared with the
 * HttpOnly refresh cookie. A page cannot see the refresh cookie, so without a hint every signed-out
 * page load would POST `{prefix}/refresh-token`, get 401, and the browser console would log that
 * 401 as an error. The hint holds no secret: it only mirrors whether, and for how long, a refresh
 * cookie was set. It is a hint, not proof: the refresh endpoint still decides.
 */
import { REFRESH_COOKIE } from './refresh-cookie.ts';

/** Name of the hint cookie; a page checks `document.cookie` for `lmz-signed-in=1`. */
export const SIGNED_IN_HINT = 'lmz-signed-in';

const REFRESH_SET_COOKIE = `${REFRESH_COOKIE}=`;

/** Adds a hint cookie for every refresh cookie `response` sets or clears; other responses pass unchanged. */
export function withSignedInHint(response: Response): Response {
  const refresh = response.headers.getSetCookie().filter((c) => c.startsWith(REFRESH_SET_COOKIE));
  if (refresh.length === 0) return response;
  const out = new Response(response.body, response);
  for (const cookie of refresh) {
    const cleared = cookie.startsWith(`${REFRESH_SET_COOKIE};`);
    const maxAge = cleared ? 0 : Number(/;\s*Max-Age=(\d+)/i.exec(cookie)?.[1] ?? 0);
    out.headers.append('Set-Cookie', `${SIGNED_IN_HINT}=${maxAge > 0 ? '1' : ''}; Path=/; Secure; SameSite=Strict; Max-Age=${maxAge}`);
  }
  return out;
}
