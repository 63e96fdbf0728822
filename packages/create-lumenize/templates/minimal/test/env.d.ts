// The bindings `env` from cloudflare:test carries: the app's own (wrangler.jsonc).
import type { Env as AppEnv } from '../src/env.ts';

declare global {
  namespace Cloudflare {
    interface Env extends AppEnv {}
  }
}
