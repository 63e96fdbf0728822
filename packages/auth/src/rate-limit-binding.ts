/**
 * Internal: rate-limit tiers named by binding (`AuthConfig.rateLimit`). A missing binding fails
 * open (local development has none), and says so once per binding name per isolate with a warning
 * that no `DEBUG` filter can hide: a production deploy that forgot a binding must be visible.
 */
import { checkRateLimit } from '@lumenize/utils';

/** Namespace of the always-on warning line (same record shape as `@lumenize/debug`). */
export const MISSING_BINDING_NAMESPACE = 'lmz.auth.limitByBinding';
const warnedMissing = new Set<string>();

function isRateLimit(value: unknown): value is RateLimit {
  return typeof value === 'object' && value !== null && typeof (value as { limit?: unknown }).limit === 'function';
}

/** One structured JSON line through `console.warn`, bypassing the DEBUG filter (debug has no always-on warn). */
function warnMissing(name: string, tier: string): void {
  if (warnedMissing.has(name)) return;
  warnedMissing.add(name);
  const record = {
    type: 'debug',
    level: 'warn',
    namespace: MISSING_BINDING_NAMESPACE,
    message: `rate-limit binding ${name} is missing; the ${tier} tier allows every request (fail open). Add it to wrangler.jsonc "ratelimits", or set rateLimit.${tier} to false`,
    timestamp: new Date().toISOString(),
    data: { binding: name, tier },
  };
  console.warn(JSON.stringify(record));
}

/**
 * Resolves `true` when `key` is within the limit of `env[name]`. A missing binding allows the
 * request and warns once for that name; a failing binding is handled by utils' `checkRateLimit`.
 * @example if (!(await limitByBinding(env, 'LUMENIZE_AUTH_IP_RATE_LIMITER', 'ip', 'ip:1.2.3.4'))) return rateLimitedResponse(60);
 */
export function limitByBinding(env: object, name: string, tier: 'ip' | 'email' | 'user', key: string): Promise<boolean> {
  const binding = (env as Record<string, unknown>)[name];
  if (!isRateLimit(binding)) {
    warnMissing(name, tier);
    return Promise.resolve(true);
  }
  return checkRateLimit(binding, key);
}
