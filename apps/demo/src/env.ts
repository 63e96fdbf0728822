/** The demo Worker's bindings and variables (see wrangler.jsonc and the generated .dev.vars). */
import type { DemoAuth } from './demo-auth.ts';
import type { DocumentDO } from './document-do.ts';
import type { DocumentRegistryDO } from './document-registry-do.ts';
import type { WordCountWorker } from './word-count-worker.ts';

export interface DemoEnv {
  /** One gateway per browser tab: `{userId}.{tabId}`. */
  LUMENIZE_CLIENT_GATEWAY: DurableObjectNamespace;
  /** The magic-link auth service (one instance, `default`). */
  LUMENIZE_AUTH: DurableObjectNamespace<DemoAuth>;
  /** One DocumentDO per document id. */
  DOCUMENT: DurableObjectNamespace<DocumentDO>;
  /** The document list (one instance, `main`). */
  DOC_REGISTRY: DurableObjectNamespace<DocumentRegistryDO>;
  /** This Worker's own WordCountWorker entrypoint. */
  WORD_COUNT: Service<WordCountWorker>;
  /** Ed25519 keys (PEM). In local dev, scripts/start.sh generates them into apps/demo/.dev.vars. */
  JWT_PUBLIC_KEY_BLUE: string;
  JWT_PUBLIC_KEY_GREEN?: string;
  JWT_PRIVATE_KEY_BLUE: string;
  /** DEV ONLY: `"true"` keeps sent magic links in a mailbox shown at /dev/mailbox. */
  DEMO_DEV_MAILBOX?: string;
  /** Seconds without a heartbeat before a tab leaves a document's presence list (default 30). */
  DEMO_PRESENCE_TIMEOUT_SECONDS?: string;
  /** Rate limits of the gateway and of auth (enforced by wrangler dev too). */
  LUMENIZE_GATEWAY_RATE_LIMITER?: RateLimit;
  LUMENIZE_AUTH_IP_RATE_LIMITER?: RateLimit;
}
