/** The pluggable email delivery contract (spec §3.13). */

/** Why a link is sent: `login` signs in; `link` adds an address to an existing account. */
export interface EmailContext {
  purpose: 'login' | 'link';
  expiresInSeconds: number;
  /** For `link`: the primary email of the account that asked, so the recipient knows who. */
  requestedBy?: string;
}

/** Delivers a magic link. Implementations throw when delivery fails. */
export interface EmailService {
  send(to: string, magicLinkUrl: string, context?: EmailContext): Promise<void>;
}

/** Options for `HttpEmailService` (a provider's JSON API). */
export interface HttpEmailServiceOptions {
  /** Provider endpoint (`https://...`). */
  endpoint: string;
  /** Extra request headers, typically `Authorization`. Never appear in errors or logs. */
  headers?: Record<string, string>;
  /** Builds the provider's JSON body. */
  buildBody: (to: string, magicLinkUrl: string, context: EmailContext) => unknown;
  /** Abort after this many milliseconds (default 10,000). */
  timeoutMs?: number;
  /** Fetch implementation (default `globalThis.fetch`), for custom transports and tests. */
  fetch?: (input: Request) => Promise<Response>;
}
