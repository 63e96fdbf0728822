/**
 * `AuthConfig`: defaults, validation (TypeError naming the field) and the structured-cloneable
 * subset sent to the auth DO (spec §2.2, §3.1).
 */
import { debug } from '@lumenize/debug';
import type { CorsOptions } from '@lumenize/utils';
import { redirectTarget } from './redirect-target.ts';

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
  /** Where magic links land after login: a `/path`, or a URL on `magicLinkBaseUrl`'s origin. */
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
  /**
   * Also set a readable `lmz-signed-in` cookie (Path `/`, same lifetime) whenever a response sets or
   * clears the HttpOnly refresh cookie, so a page can skip the refresh request, and its 401, when
   * signed out (default `false`; Worker side only).
   */
  signedInHint?: boolean;
  /**
   * Origin of the links in emails, e.g. `https://app.example`. Required: it is never taken from the
   * request's Host, except in local development (env `AUTH_DEV_MODE` = `"true"`).
   */
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
/** Default JWT `iss` and `aud`. */
export const DEFAULT_ISSUER = 'https://lumenize.local';
export const DEFAULT_AUDIENCE = 'https://lumenize.local';
/** Default lifetimes, in seconds. */
export const DEFAULT_ACCESS_TOKEN_TTL = 900;
export const DEFAULT_REFRESH_TOKEN_TTL = 2_592_000;
export const DEFAULT_MAGIC_LINK_TTL = 1_800;
/** Seconds a rotated refresh token is still accepted (several tabs refreshing at once); 0 = strict. */
export const DEFAULT_REFRESH_REUSE_GRACE_SECONDS = 10;
/** `Retry-After` of every 429, in seconds. */
export const DEFAULT_RETRY_AFTER_SECONDS = 60;
export const DEFAULT_RATE_LIMIT_BINDINGS = {
  ip: 'LUMENIZE_AUTH_IP_RATE_LIMITER',
  email: 'LUMENIZE_AUTH_EMAIL_RATE_LIMITER',
  user: 'LUMENIZE_AUTH_USER_RATE_LIMITER',
} as const;
/** The env var that marks local development; only then may link origins come from the request. */
export const DEV_MODE_VAR = 'AUTH_DEV_MODE';

/** True when env `AUTH_DEV_MODE` is exactly `"true"` (local development only). */
export function isDevMode(env: unknown): boolean {
  return typeof env === 'object' && env !== null && (env as Record<string, unknown>)[DEV_MODE_VAR] === 'true';
}

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

/**
 * Validates and defaults the DO-relevant part of `AuthConfig`. Throws `TypeError` naming the field.
 * Outside local development (`devMode` false) `magicLinkBaseUrl` is required.
 */
export function resolveAuthConfig(config: unknown, warnNamespace: string, devMode: boolean): ResolvedAuthConfig {
  if (typeof config !== 'object' || config === null) throw new TypeError('AuthConfig must be an object with at least { redirect }');
  const c = config as Record<string, unknown>;
  if (c.rateLimitPerHour !== undefined && !warnedRateLimitPerHour) {
    warnedRateLimitPerHour = true;
    debug(warnNamespace).warn('rateLimitPerHour is no longer supported and is ignored; configure rate-limit bindings (10 s or 60 s periods)');
  }
  const rl = c.rateLimit;
  if (rl !== undefined && (typeof rl !== 'object' || rl === null)) fail('rateLimit', 'must be an object');
  const r = (rl ?? {}) as Record<string, unknown>;
  const retry = seconds(r.retryAfterSeconds, 'rateLimit.retryAfterSeconds', DEFAULT_RETRY_AFTER_SECONDS);
  const magicLinkBaseUrl = baseUrl(c.magicLinkBaseUrl);
  const resolved: ResolvedAuthConfig = {
    redirect: redirectTarget(c.redirect, magicLinkBaseUrl),
    issuer: optionalString(c.issuer, 'issuer', DEFAULT_ISSUER),
    audience: optionalString(c.audience, 'audience', DEFAULT_AUDIENCE),
    accessTokenTtl: seconds(c.accessTokenTtl, 'accessTokenTtl', DEFAULT_ACCESS_TOKEN_TTL),
    refreshTokenTtl: seconds(c.refreshTokenTtl, 'refreshTokenTtl', DEFAULT_REFRESH_TOKEN_TTL),
    magicLinkTtl: seconds(c.magicLinkTtl, 'magicLinkTtl', DEFAULT_MAGIC_LINK_TTL),
    refreshReuseGraceSeconds: seconds(c.refreshReuseGraceSeconds, 'refreshReuseGraceSeconds', DEFAULT_REFRESH_REUSE_GRACE_SECONDS, true),
    prefix: normalizePrefix(c.prefix),
    magicLinkBaseUrl,
    allowedEmailDomains: stringList(c.allowedEmailDomains, 'allowedEmailDomains'),
    superAdminEmails: stringList(c.superAdminEmails, 'superAdminEmails') ?? [],
    rateLimit: {
      ip: bindingName(r.ip, 'rateLimit.ip', DEFAULT_RATE_LIMIT_BINDINGS.ip),
      email: bindingName(r.email, 'rateLimit.email', DEFAULT_RATE_LIMIT_BINDINGS.email),
      user: bindingName(r.user, 'rateLimit.user', DEFAULT_RATE_LIMIT_BINDINGS.user),
      retryAfterSeconds: Math.ceil(retry),
    },
  };
  // Checked last, so a bad field is reported first. The request's Host is attacker-chosen text.
  if (magicLinkBaseUrl === undefined && !devMode) {
    throw new TypeError(
      `AuthConfig.magicLinkBaseUrl is required: the origin of the links in emails, e.g. "https://app.example" (it is never taken from the request's Host). For local development only, set ${DEV_MODE_VAR}="true" (for example in .dev.vars) to use the request origin.`,
    );
  }
  return resolved;
}
