/** The Worker's bindings and variables (wrangler.jsonc, and .dev.vars in local development). */
import type { AppAuth } from './app-auth.ts';
import type { CounterDO } from './counter-do.ts';

export interface Env {
  LUMENIZE_CLIENT_GATEWAY: DurableObjectNamespace;
  LUMENIZE_AUTH: DurableObjectNamespace<AppAuth>;
  COUNTER: DurableObjectNamespace<CounterDO>;
  /** Ed25519 keys (PEM): secrets in production, generated into .dev.vars for local development. */
  JWT_PRIVATE_KEY_BLUE: string;
  JWT_PUBLIC_KEY_BLUE: string;
  /** The public origin of magic links in production; empty in local development. */
  APP_ORIGIN?: string;
  /** `"true"` only in .dev.vars: magic links are printed to the terminal instead of emailed. */
  AUTH_DEV_MODE?: string;
}
