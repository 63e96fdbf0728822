/** `checkRateLimit`: ask a Cloudflare rate-limit binding, failing open when it is absent or broken. */
import { debug } from '@lumenize/debug';

const log = debug('lmz.utils.checkRateLimit');
const warned = new WeakSet<object>();
let warnedMissing = false;

/**
 * Resolves `true` when `key` is within the limit, `false` when limited. Fails open (`true`) when
 * the binding is missing or its call throws, warning once per isolate per binding.
 * @example if (!(await checkRateLimit(env.LOGIN_LIMITER, `login:${email}`))) return new Response('Too many requests', { status: 429 });
 */
export async function checkRateLimit(binding: RateLimit | undefined, key: string): Promise<boolean> {
  if (!binding || typeof binding.limit !== 'function') {
    if (!warnedMissing) {
      warnedMissing = true;
      log.warn('rate-limit binding missing; allowing all requests (fail open)');
    }
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
