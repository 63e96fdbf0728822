/** Internal: what the HTTP and WebSocket middlewares share — key import, verification, rate tiers. */
import type { DebugLogger } from '@lumenize/debug';
import { checkRateLimit } from '@lumenize/utils';
import { rateLimitedResponse } from './auth-error.ts';
import { DEFAULT_RETRY_AFTER_SECONDS } from './config.ts';
import { isHeaderSafeSubject, setIdentityHeaders } from './identity-headers.ts';
import { ipRateLimitKey } from './ip-key.ts';
import { verifyDetailed } from './jwt.ts';
import type { JwtPayload, VerifyOptions } from './jwt-types.ts';
import { importKeyForSlot } from './keys.ts';
import { describeFailure } from './websocket-token.ts';

/** Configuration of `createWebSocketAuthMiddleware`. */
export interface WebSocketAuthMiddlewareConfig {
  /** SPKI PEMs of every key that may have signed a live token (BLUE and GREEN); falsy entries are dropped. */
  publicKeysPem: Array<string | undefined | null | false>;
  audience?: string;
  issuer?: string;
  clockToleranceSeconds?: number;
  /** IP tier, checked before any crypto (`ip:<address>`, IPv6 by /64). */
  ipRateLimiter?: RateLimit;
  /** User tier, checked after verification (`request:<userId>` / `connect:<userId>`). */
  rateLimiter?: RateLimit;
}

/** Configuration of `createAuthMiddleware`. */
export interface AuthMiddlewareConfig extends WebSocketAuthMiddlewareConfig {
  /** `realm` of `WWW-Authenticate` (default `Lumenize`). */
  realm?: string;
}

/** The verified identity the middlewares forward as `X-Auth-*` headers. */
export interface AuthContext {
  /** `sub` → `X-Auth-User-Id`. */
  userId: string;
  /** Non-registered claims → `X-Auth-Claims` (absent when none). */
  claims?: Record<string, unknown>;
  /** `exp` in epoch seconds → `X-Auth-Token-Exp`. */
  tokenExp: number;
}

/** Rejection of one request: status, code and description (no token contents). */
export interface Rejection {
  status: 401 | 429;
  code: 'invalid_request' | 'invalid_token' | 'rate_limit_exceeded';
  description: string;
}

export interface MiddlewareCore {
  /** IP tier; a 429 response when limited. */
  checkIp(request: Request): Promise<Response | undefined>;
  /** Verifies a token; the payload (with `sub` and `exp`) or a rejection. */
  verify(token: string): Promise<{ payload: JwtPayload & { sub: string; exp: number } } | { rejection: Rejection }>;
  /** User tier with the given key prefix. */
  checkUser(kind: 'request' | 'connect', userId: string): Promise<boolean>;
}

/** Imports every key once (at creation) and returns the per-request steps. Throws `TypeError` on bad config. */
export async function createMiddlewareCore(name: string, config: WebSocketAuthMiddlewareConfig, log: DebugLogger): Promise<MiddlewareCore> {
  if (typeof config !== 'object' || config === null || !Array.isArray(config.publicKeysPem)) {
    throw new TypeError(`${name}: config.publicKeysPem must be an array of PEM strings`);
  }
  const pems = config.publicKeysPem.filter((p): p is string => !!p);
  if (pems.length === 0) throw new TypeError(`${name}: no public keys configured (config.publicKeysPem is empty)`);
  const keys = await Promise.all(pems.map((pem, i) => importKeyForSlot('public', pem, `${name}: publicKeysPem[${i}]`)));
  const options: VerifyOptions = { audience: config.audience, issuer: config.issuer, clockToleranceSeconds: config.clockToleranceSeconds };
  const { ipRateLimiter, rateLimiter } = config;

  return {
    async checkIp(request) {
      if (!ipRateLimiter || (await checkRateLimit(ipRateLimiter, ipRateLimitKey(request)))) return undefined;
      log.warn('rejected', { reason: 'rate_limited', tier: 'ip' });
      return rateLimitedResponse(DEFAULT_RETRY_AFTER_SECONDS);
    },
    async verify(token) {
      const outcome = await verifyDetailed(token, keys, options);
      if (!outcome.ok) {
        log.warn('rejected', { reason: outcome.reason });
        return { rejection: { status: 401, code: 'invalid_token', description: describeFailure(outcome.reason) } };
      }
      const { sub, exp } = outcome.payload;
      if (typeof sub !== 'string' || sub === '' || typeof exp !== 'number') {
        log.warn('rejected', { reason: 'missing_subject' });
        return { rejection: { status: 401, code: 'invalid_token', description: 'Token has no subject' } };
      }
      // Identity travels in headers: a subject that cannot be a header value is refused, not mangled.
      if (!isHeaderSafeSubject(sub)) {
        log.warn('rejected', { reason: 'unusable_subject' });
        return { rejection: { status: 401, code: 'invalid_token', description: 'Token subject is not usable' } };
      }
      return { payload: outcome.payload as JwtPayload & { sub: string; exp: number } };
    },
    async checkUser(kind, userId) {
      if (!rateLimiter || (await checkRateLimit(rateLimiter, `${kind}:${userId}`))) return true;
      log.warn('rejected', { reason: 'rate_limited', tier: 'user', userId });
      return false;
    },
  };
}

/** Copies the request with identity headers set and `transform` applied to the headers. */
export function forwardWithIdentity(request: Request, payload: JwtPayload & { sub: string; exp: number }, transform: (h: Headers) => void): Request {
  const headers = new Headers(request.headers);
  transform(headers);
  setIdentityHeaders(headers, payload);
  return new Request(request, { headers });
}
