/**
 * `AuthConfig`: defaults, validation (TypeError naming the field) and the structured-cloneable
 * subset sent to the auth DO (spec §2.2, §3.1).
 */
import { debug } from '@lumenize/debug';
import type { CorsOptions } from '@lumenize/utils';

/** Rate-limit binding names per tier (`false` disables a tier) and the `Retry-After` value. */
export interface AuthRateLimitConfig {
  /** IP tier, applied by `createAuthRoutes` (default `LUMENIZE_AUTH_IP_RATE_LIMITER`). */
  ip?: string | false;
  /** Magic-link requests per email, applied in the DO (default `LUMENIZE_AUTH_EMAIL_RATE_LIMITER`). */
  email?: string | false;
  /** Per-user tier: refresh, admin and email management (default `LUMENIZE_AUTH_USER_RATE_LIMITER`). */
  user?: string | false;
  /** Seconds sent in `Retry-After` with a 429 (default 60). */
  retryAfterSeconds?: number;
}

/** Configuration of `createAuthRoutes` (and, minus `cors`, of `LumenizeAuth.configure`). */
export interface AuthConfig {
  /** Where magic links land after login: `/path` or an absolute http(s) URL, never `//host`. */
  redirect: string;
  /** JWT `iss` (default `https://lumenize.local`). */
  issuer?: string;
  /** JWT `aud` (default `https://lumenize.local`). */
  audience?: string;
  /** Access token lifetime in seconds (default 900). */
  accessTokenTtl?: number;
  /** Refresh token and cookie lifetime in seconds (default 30 days). */
  refreshTokenTtl?: number;
  /** Magic link lifetime in seconds (default 1,800). */
  magicLinkTtl?: number;
  /** Seconds a just-rotated refresh token is still accepted, for tabs refreshing at once (default 10; 0 = strict). */
  refreshReuseGraceSeconds?: number;
  /** Public URL prefix and refresh cookie `Path` (default `/auth`). */
  prefix?: string;
  /** Binding of the auth DO (default `LUMENIZE_AUTH`). */
  gatewayBindingName?: string;
  /** The single auth DO instance (default `default`). */
  instanceName?: string;
  /** CORS for `routeDORequest` (Worker side only; never sent to the DO). */
  cors?: CorsOptions;
  /** Fixed origin for links in emails (default: the request origin). */
  magicLinkBaseUrl?: string;
  /** Only these email domains may log in or be linked (default: any). */
  allowedEmailDomains?: string[];
  /** Super-admin emails, merged with env `AUTH_SUPER_ADMIN_EMAILS`. */
  superAdminEmails?: string[];
  /** Rate-limit tiers. */
  rateLimit?: AuthRateLimitConfig;
  /** @deprecated Removed: limits live in rate-limit bindings. Ignored with one warning. */
  rateLimitPerHour?: number;
}

/** Fully defaulted, validated configuration (what the DO keeps in memory). */
export interface ResolvedAuthConfig {
  redirect: string;
  issuer: string;
  audience: string;
  accessTokenTtl: number;
  refreshTokenTtl: number;
  magicLinkTtl: number;
  refreshReuseGraceSeconds: number;
  prefix: string;
  magicLinkBaseUrl: string | undefined;
  allowedEmailDomains: string[] | undefined;
  superAdminEmails: string[];
  rateLimit: { ip: string | false; email: string | false; user: string | false; retryAfterSeconds: number };
}

export const DEFAULT_BINDING = 'LUMENIZE_AUTH';
export const DEFAULT_INSTANCE = 'default';

let warnedRateLimitPerHour = false;

function fail(field: string, expected: string): never {
  throw new TypeError(`AuthConfig.${field} ${expected}`);
}

function optionalString(value: unknown, field: string, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value.trim() === '') fail(field, 'must be a non-empty string');
  return value;
}

function seconds(value: unknown, field: string, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    fail(field, allowZero ? 'must be a number of seconds, 0 or more' : 'must be a positive number of seconds');
  }
  return value;
}

function stringList(value: unknown, field: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) fail(field, 'must be an array of strings');
  return value.map((v) => v.trim().toLowerCase()).filter((v) => v !== '');
}

function bindingName(value: unknown, field: string, fallback: string): string | false {
  if (value === undefined) return fallback;
  if (value === false) return false;
  if (typeof value !== 'string' || value === '') fail(field, 'must be a binding name or false');
  return value;
}

/** `/auth`, `auth/` and `/auth/` are the same prefix; `/` and `''` are refused (auth needs its own prefix). */
export function normalizePrefix(value: unknown): string {
  if (value === undefined) return '/auth';
  if (typeof value !== 'string') fail('prefix', 'must be a string such as "/auth"');
  const trimmed = value.trim().replace(/^\/+|\/+$/g, '');
  if (trimmed === '' || !/^[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/.test(trimmed)) fail('prefix', 'must be a URL path such as "/auth"');
  return `/${trimmed}`;
}

function redirectTarget(value: unknown): string {
  if (value === undefined) fail('redirect', 'is required (a "/path" or an absolute http(s) URL)');
  if (typeof value !== 'string' || value === '') fail('redirect', 'must be a "/path" or an absolute http(s) URL');
  // `//host` and `/\host` are protocol-relative in browsers: an open redirect.
  if (value.startsWith('/')) {
    if (value.startsWith('//') || value.startsWith('/\\')) fail('redirect', 'must not be protocol-relative ("//host")');
    return value;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail('redirect', 'must be a "/path" or an absolute http(s) URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') fail('redirect', 'must use http or https');
  return value;
}

function baseUrl(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) fail('magicLinkBaseUrl', 'must be an absolute http(s) URL');
  return url.origin;
}

/** Validates and defaults the DO-relevant part of `AuthConfig`. Throws `TypeError` naming the field. */
export function resolveAuthConfig(config: unknown, warnNamespace: string): ResolvedAuthConfig {
  if (typeof config !== 'object' || config === null) throw new TypeError('AuthConfig must be an object with at least { redirect }');
  const c = config as Record<string, unknown>;
  if (c.rateLimitPerHour !== undefined && !warnedRateLimitPerHour) {
    warnedRateLimitPerHour = true;
    debug(warnNamespace).warn('rateLimitPerHour is no longer supported and is ignored; configure rate-limit bindings (10 s or 60 s periods)');
  }
  const rl = c.rateLimit;
  if (rl !== undefined && (typeof rl !== 'object' || rl === null)) fail('rateLimit', 'must be an object');
  const r = (rl ?? {}) as Record<string, unknown>;
  const retry = seconds(r.retryAfterSeconds, 'rateLimit.retryAfterSeconds', 60);
  return {
    redirect: redirectTarget(c.redirect),
    issuer: optionalString(c.issuer, 'issuer', 'https://lumenize.local'),
    audience: optionalString(c.audience, 'audience', 'https://lumenize.local'),
    accessTokenTtl: seconds(c.accessTokenTtl, 'accessTokenTtl', 900),
    refreshTokenTtl: seconds(c.refreshTokenTtl, 'refreshTokenTtl', 2_592_000),
    magicLinkTtl: seconds(c.magicLinkTtl, 'magicLinkTtl', 1_800),
    refreshReuseGraceSeconds: seconds(c.refreshReuseGraceSeconds, 'refreshReuseGraceSeconds', 10, true),
    prefix: normalizePrefix(c.prefix),
    magicLinkBaseUrl: baseUrl(c.magicLinkBaseUrl),
    allowedEmailDomains: stringList(c.allowedEmailDomains, 'allowedEmailDomains'),
    superAdminEmails: stringList(c.superAdminEmails, 'superAdminEmails') ?? [],
    rateLimit: {
      ip: bindingName(r.ip, 'rateLimit.ip', 'LUMENIZE_AUTH_IP_RATE_LIMITER'),
      email: bindingName(r.email, 'rateLimit.email', 'LUMENIZE_AUTH_EMAIL_RATE_LIMITER'),
      user: bindingName(r.user, 'rateLimit.user', 'LUMENIZE_AUTH_USER_RATE_LIMITER'),
      retryAfterSeconds: Math.ceil(retry),
    },
  };
}
