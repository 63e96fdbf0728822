// The bindings `env` from cloudflare:test carries: the app's own (wrangler.jsonc).
import type { DemoEnv } from '../src/env.ts';

declare global {
  namespace Cloudflare {
    interface Env extends DemoEnv {}
  }
}
