/** `checkRateLimit`: ask a Cloudflare rate-limit binding, failing open when it is absent or broken. */
import { debug } from '@lumenize/debug';

const log = debug('lmz.utils.checkRateLimit');
const warned = new WeakSet<object>();
const missingNames = new Set<string>();

/**
 * Reports a missing rate-limit binding once per binding name per isolate, at error level so no
 * `DEBUG` filter hides it: a deploy that forgot a binding runs unlimited, and must say so.
 * @example if (!env.MY_LIMITER) reportMissingRateLimiter('MY_LIMITER');
 */
export function reportMissingRateLimiter(name: string): void {
  if (missingNames.has(name)) return;
  missingNames.add(name);
  log.error(`rate-limit binding ${name} is missing; allowing all requests (fail open). Add it to wrangler.jsonc "ratelimits"`, { binding: name });
}

/**
 * Resolves `true` when `key` is within the limit, `false` when limited. Fails open (`true`) when
 * the binding is missing (reported once per `name`, always visible) or its call throws (warned
 * once per binding object).
 * @example if (!(await checkRateLimit(env.LOGIN_LIMITER, `login:${email}`, 'LOGIN_LIMITER'))) return new Response('Too many requests', { status: 429 });
 */
export async function checkRateLimit(binding: RateLimit | undefined, key: string, name = '(unnamed)'): Promise<boolean> {
  if (!binding || typeof binding.limit !== 'function') {
    reportMissingRateLimiter(name);
    return true;
  }
  try {
    const outcome = await binding.limit({ key });
    return outcome.success === true;
  } catch (error) {
    if (!warned.has(binding)) {
      warned.add(binding);
      log.warn('rate-limit binding failed; allowing the request (fail open)', { error });
    }
    return true;
  }
}
