/**
 * Access tokens in the browser: the refresh cookie (HttpOnly, set by the magic link) is traded
 * for a short-lived access token at `/auth/refresh-token`; the token's `sub` is the user id that
 * prefixes this tab's gateway instance name (`{userId}.{tabId}`).
 */

/** Outcome of asking for an access token. */
export type TokenResult = { kind: 'token'; token: string; userId: string } | { kind: 'signed-out' } | { kind: 'unreachable'; error: string };

/** Reads `sub` from a JWT payload (no verification: the server verifies; this only picks a name). */
export function subjectOf(token: string): string {
  const payload = token.split('.')[1] ?? '';
  const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((payload.length + 3) % 4));
  const sub = (JSON.parse(json) as { sub?: unknown }).sub;
  if (typeof sub !== 'string' || sub === '') throw new Error('The access token has no subject');
  return sub;
}

/**
 * Trades the refresh cookie for an access token.
 * @example const t = await getAccessToken(); if (t.kind === 'signed-out') showLogin();
 */
export async function getAccessToken(): Promise<TokenResult> {
  // No hint cookie (`createAuthRoutes(env, { signedInHint: true })` in src/worker.ts): no refresh cookie either, so skip the request and its 401.
  if (!document.cookie.split('; ').some((c) => c === 'lmz-signed-in=1')) return { kind: 'signed-out' };
  let response: Response;
  try {
    response = await fetch('/auth/refresh-token', { method: 'POST', credentials: 'include' });
  } catch (error) {
    return { kind: 'unreachable', error: (error as Error).message };
  }
  if (response.status === 401 || response.status === 403) {
    document.cookie = 'lmz-signed-in=; Path=/; Max-Age=0';
    return { kind: 'signed-out' };
  }
  if (!response.ok) return { kind: 'unreachable', error: `HTTP ${response.status}` };
  const token = ((await response.json()) as { access_token?: unknown }).access_token;
  if (typeof token !== 'string') return { kind: 'unreachable', error: 'no access_token in the answer' };
  return { kind: 'token', token, userId: subjectOf(token) };
}

/** Asks for a magic link; resolves to an error message, or null when sent. */
export async function requestMagicLink(email: string): Promise<string | null> {
  try {
    const response = await fetch('/auth/email-magic-link', { method: 'POST', body: JSON.stringify({ email }) });
    if (response.ok) return null;
    const body = (await response.json().catch(() => ({}))) as { error_description?: string; error?: string };
    return body.error_description ?? body.error ?? `HTTP ${response.status}`;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Revokes the refresh cookie. */
export async function signOut(): Promise<void> {
  await fetch('/auth/logout', { method: 'POST', credentials: 'include' }).catch(() => undefined);
}
