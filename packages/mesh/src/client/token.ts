/**
 * Access-token handling for LumenizeClient (mesh spec §4.10 "Token refresh"): reading a held
 * token's `exp` (decoded, never verified — verification is the middleware's job) and obtaining a
 * new token from the `refresh` endpoint or function.
 */
import { LoginRequiredError } from '../errors.ts';

/** `exp` (seconds) of a JWT, or undefined when the token is not a JWT or has no numeric `exp`. */
export function tokenExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const b64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const json = JSON.parse(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4))) as { exp?: unknown };
    return typeof json.exp === 'number' && Number.isFinite(json.exp) ? json.exp : undefined;
  } catch {
    return undefined;
  }
}

/** True when the token carries an `exp` that has passed. Tokens without `exp` never count as expired. */
export function isTokenExpired(token: string, nowMs: number = Date.now()): boolean {
  const exp = tokenExpiry(token);
  return exp !== undefined && exp * 1000 <= nowMs;
}

/** A refresh that failed for a reason worth retrying with backoff (network, 429, 5xx). */
export class RefreshUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RefreshUnavailableError';
  }
}

/**
 * Gets a fresh access token. String form: `POST` with `credentials: 'include'`; a 2xx JSON body
 * `{ access_token }` supplies it. Function form: its resolved string. Throws LoginRequiredError
 * (code 401) when the user must log in again, RefreshUnavailableError for retryable failures.
 * @example const token = await fetchAccessToken('https://app.example.com/auth/refresh-token', fetch);
 */
export async function fetchAccessToken(refresh: string | (() => Promise<string>), fetchFn: typeof fetch): Promise<string> {
  if (typeof refresh === 'function') {
    let token: unknown;
    try {
      token = await refresh();
    } catch (error) {
      if (error instanceof LoginRequiredError) throw error;
      throw new RefreshUnavailableError(`refresh function failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    if (typeof token !== 'string' || token === '') throw new LoginRequiredError('refresh function returned no token', 401, 'No token');
    return token;
  }
  let response: Response;
  try {
    // `credentials: 'include'` sends the refresh cookie cross-origin in browsers (workerd ignores it).
    const init = { method: 'POST', credentials: 'include', headers: { Accept: 'application/json' } } as RequestInit;
    response = await fetchFn(refresh, init);
  } catch (error) {
    throw new RefreshUnavailableError(`refresh request failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (response.status === 401 || response.status === 403) {
    await response.body?.cancel();
    throw new LoginRequiredError(`Refresh refused with HTTP ${response.status}; log in again`, 401, `HTTP ${response.status}`);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new RefreshUnavailableError(`refresh endpoint answered HTTP ${response.status}`);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new LoginRequiredError('Refresh response is not JSON with access_token; log in again', 401, 'No token');
  }
  const token = (body as { access_token?: unknown } | null)?.access_token;
  if (typeof token !== 'string' || token === '') {
    throw new LoginRequiredError('Refresh response has no access_token; log in again', 401, 'No token');
  }
  return token;
}
