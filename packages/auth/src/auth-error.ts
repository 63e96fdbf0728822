/** Error codes and the JSON error shape of every auth response (spec §4.2). */

/** Stable error codes; callers branch on these. */
export type AuthErrorCode =
  | 'invalid_request'
  | 'domain_not_allowed'
  | 'rate_limit_exceeded'
  | 'invalid_token'
  | 'invalid_state'
  | 'token_used'
  | 'token_expired'
  | 'token_revoked'
  | 'forbidden'
  | 'user_not_found'
  | 'email_not_found'
  | 'email_in_use'
  | 'email_unverified'
  | 'cannot_remove_primary'
  | 'last_verified_email'
  | 'not_found'
  | 'method_not_allowed'
  | 'not_configured'
  | 'server_error';

/** Body of every error response: `{ error, error_description }`. */
export interface AuthError {
  error: AuthErrorCode;
  error_description: string;
}

/** Internal: thrown by handlers, turned into a JSON error response by the dispatcher. */
export class AuthFailure extends Error {
  override name = 'AuthFailure';
  readonly status: number;
  readonly code: AuthErrorCode;
  readonly headers: Record<string, string>;
  constructor(status: number, code: AuthErrorCode, description: string, headers: Record<string, string> = {}) {
    super(description);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

/** A JSON response with `Cache-Control: no-store` (auth answers are never cacheable). */
export function jsonResponse(body: unknown, status = 200, headers: HeadersInit = {}): Response {
  const h = new Headers(headers);
  h.set('Content-Type', 'application/json');
  h.set('Cache-Control', 'no-store');
  return new Response(JSON.stringify(body), { status, headers: h });
}

/** `{ error, error_description }` with the given status. */
export function errorResponse(status: number, code: AuthErrorCode, description: string, headers: HeadersInit = {}): Response {
  const body: AuthError = { error: code, error_description: description };
  return jsonResponse(body, status, headers);
}

/** 429 `rate_limit_exceeded` with `Retry-After`. */
export function rateLimitedResponse(retryAfterSeconds: number): Response {
  return errorResponse(429, 'rate_limit_exceeded', 'Too many requests; try again later', { 'Retry-After': String(retryAfterSeconds) });
}
