/**
 * The bindings of this package's test Worker. Typed locally instead of merging into the global
 * `Cloudflare.Env`, which other packages' tests also extend (binding names like MY_DO collide).
 */
import { env as cloudflareEnv } from 'cloudflare:test';
import type { EchoDO, UserSession } from './echo-do.ts';
import type { IdentityDO } from './identity-do.ts';

export interface UtilsTestEnv {
  MY_DO: DurableObjectNamespace<EchoDO>;
  USER_SESSION: DurableObjectNamespace<UserSession>;
  IDENTITY_DO: DurableObjectNamespace<IdentityDO>;
  RATE_LIMITER: RateLimit;
  SELF_SERVICE: Fetcher;
}

export const env = cloudflareEnv as unknown as UtilsTestEnv;
