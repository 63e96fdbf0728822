/** Internal: what every DO endpoint handler receives. */
import type { DebugLogger } from '@lumenize/debug';
import { AuthFailure } from '../auth-error.ts';
import type { ResolvedAuthConfig } from '../config.ts';
import type { EmailService } from '../email-types.ts';
import type { KeyEnv } from '../signing.ts';
import type { Sql } from '../store/sql.ts';

/** Environment the auth DO reads (spec §2.3). */
export interface AuthEnv extends KeyEnv {
  AUTH_TEST_MODE?: unknown;
  /** Exactly `"true"` marks local development: links may then use the request origin. */
  AUTH_DEV_MODE?: unknown;
  AUTH_SUPER_ADMIN_EMAILS?: unknown;
  [binding: string]: unknown;
}

export interface HandlerContext {
  request: Request;
  url: URL;
  /** Path segments after `<prefix>/<binding>/<instance>`, percent-decoded. */
  segments: string[];
  sql: Sql;
  env: AuthEnv;
  config: ResolvedAuthConfig;
  /** Epoch milliseconds at the start of the request. */
  now: number;
  log: DebugLogger;
  emailService(): EmailService;
  /** `AUTH_TEST_MODE === 'true'` and `?_test=true`. */
  testMode: boolean;
  /** Per-tier rate limit; resolves true when allowed (fails open without a binding). */
  rateLimit(tier: 'email' | 'user', key: string): Promise<boolean>;
}

/** Longest JSON body an endpoint reads, in characters. */
export const MAX_BODY_CHARS = 16 * 1024;

/** Reads a JSON object body (at most `MAX_BODY_CHARS`); 400 `invalid_request` otherwise. */
export async function readJsonObject(request: Request): Promise<Record<string, unknown>> {
  const text = await request.text();
  if (text.length > MAX_BODY_CHARS) throw new AuthFailure(400, 'invalid_request', 'Request body too large');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new AuthFailure(400, 'invalid_request', 'Request body must be JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AuthFailure(400, 'invalid_request', 'Request body must be a JSON object');
  return body as Record<string, unknown>;
}

/** 429 as a throwable failure. */
export function rateLimited(config: ResolvedAuthConfig): AuthFailure {
  return new AuthFailure(429, 'rate_limit_exceeded', 'Too many requests; try again later', { 'Retry-After': String(config.rateLimit.retryAfterSeconds) });
}
