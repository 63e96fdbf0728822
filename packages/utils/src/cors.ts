/**
 * Server-side CORS for `routeDORequest`: option validation, origin checks, preflight answers and
 * response headers. Disallowed origins are rejected on the server (non-standard, deliberate).
 */

/**
 * CORS setting of `routeDORequest`: `false` (default, no checks), `true` (reflect any origin),
 * an allow-list, or a validator. `credentials` exists only on the last two forms.
 */
export type CorsOptions =
  | boolean
  | { origin: string[]; credentials?: boolean }
  | { origin: (origin: string, request: Request) => boolean; credentials?: boolean };

/** Validated form of {@link CorsOptions}. */
export interface CorsPolicy {
  mode: 'off' | 'any' | 'list' | 'validator';
  list?: ReadonlySet<string>;
  validator?: (origin: string, request: Request) => boolean;
  credentials: boolean;
}

const OFF: CorsPolicy = { mode: 'off', credentials: false };
const ANY: CorsPolicy = { mode: 'any', credentials: false };
const policies = new WeakMap<object, CorsPolicy>();

/** Validates `cors`; throws `TypeError` for malformed configuration. Object forms are cached. */
export function corsPolicy(cors: unknown): CorsPolicy {
  if (cors === undefined || cors === false) return OFF;
  if (cors === true) return ANY;
  if (typeof cors !== 'object' || cors === null) {
    throw new TypeError('cors must be false, true, { origin: string[] } or { origin: (origin, request) => boolean }');
  }
  const cached = policies.get(cors);
  if (cached) return cached;
  const { origin, credentials } = cors as { origin?: unknown; credentials?: unknown };
  if (credentials !== undefined && typeof credentials !== 'boolean') {
    throw new TypeError('cors.credentials must be a boolean');
  }
  let policy: CorsPolicy;
  if (Array.isArray(origin) && origin.every((o) => typeof o === 'string')) {
    policy = { mode: 'list', list: new Set(origin as string[]), credentials: credentials === true };
  } else if (typeof origin === 'function') {
    policy = { mode: 'validator', validator: origin as CorsPolicy['validator'], credentials: credentials === true };
  } else {
    throw new TypeError('cors.origin must be an array of origin strings or a function (origin, request) => boolean');
  }
  policies.set(cors, policy);
  return policy;
}

/** Outcome of CORS evaluation: answer now, or continue (with the origin to reflect, if any). */
export type CorsDecision =
  | { kind: 'respond'; response: Response; reason: 'preflight-allowed' | 'preflight-rejected' | 'origin-rejected'; origin: string }
  | { kind: 'continue'; allowedOrigin: string | undefined };

const CONTINUE_PLAIN: CorsDecision = { kind: 'continue', allowedOrigin: undefined };

function isAllowed(policy: CorsPolicy, origin: string, request: Request): boolean {
  if (policy.mode === 'any') return true;
  // Same-origin requests are always allowed (the literal `null` never equals a URL's origin).
  if (origin === new URL(request.url).origin) return true;
  if (policy.mode === 'list') return policy.list!.has(origin);
  return policy.validator!(origin, request) === true;
}

/** Sets the CORS response headers for an allowed origin on a mutable `Headers`. */
export function applyCorsHeaders(headers: Headers, origin: string, credentials: boolean): void {
  headers.set('Access-Control-Allow-Origin', origin);
  if (credentials) headers.set('Access-Control-Allow-Credentials', 'true');
  const vary = headers.get('Vary');
  if (!vary) headers.set('Vary', 'Origin');
  else if (!vary.split(',').some((v) => ['origin', '*'].includes(v.trim().toLowerCase()))) headers.set('Vary', `${vary}, Origin`);
}

/** Checks the request's `Origin` against the policy; answers preflights and rejections. */
export function evaluateCors(policy: CorsPolicy, request: Request): CorsDecision {
  if (policy.mode === 'off') return CONTINUE_PLAIN;
  const origin = request.headers.get('Origin');
  if (origin === null) return CONTINUE_PLAIN;
  const allowed = isAllowed(policy, origin, request);
  if (request.method === 'OPTIONS') {
    const headers = new Headers();
    if (allowed) {
      applyCorsHeaders(headers, origin, policy.credentials);
      const method = request.headers.get('Access-Control-Request-Method');
      if (method) headers.set('Access-Control-Allow-Methods', method);
      const requested = request.headers.get('Access-Control-Request-Headers');
      if (requested) headers.set('Access-Control-Allow-Headers', requested);
      headers.set('Access-Control-Max-Age', '600');
    }
    return {
      kind: 'respond',
      response: new Response(null, { status: 204, headers }),
      reason: allowed ? 'preflight-allowed' : 'preflight-rejected',
      origin,
    };
  }
  if (!allowed) {
    return {
      kind: 'respond',
      response: new Response('Forbidden: Origin not allowed', { status: 403, headers: { 'Content-Type': 'text/plain; charset=utf-8' } }),
      reason: 'origin-rejected',
      origin,
    };
  }
  return { kind: 'continue', allowedOrigin: origin };
}

/** Returns `response` with CORS headers for `origin`; re-wraps once (headers may be immutable). */
export function withCorsHeaders(response: Response, origin: string, credentials: boolean): Response {
  const headers = new Headers(response.headers);
  applyCorsHeaders(headers, origin, credentials);
  const init: ResponseInit & { webSocket?: WebSocket | null } = {
    status: response.status,
    statusText: response.statusText,
    headers,
  };
  if (response.webSocket) init.webSocket = response.webSocket;
  return new Response(response.status === 101 ? null : response.body, init);
}
