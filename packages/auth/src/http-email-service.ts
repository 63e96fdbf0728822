/** Sends magic links through a transactional email provider's JSON HTTP API. */
import { debug } from '@lumenize/debug';
import type { EmailContext, EmailService, HttpEmailServiceOptions } from './email-types.ts';
import { redactText } from './redact.ts';

/** Characters of a provider's error answer kept in `EmailDeliveryError` (spec §3.13). */
export const MAX_PROVIDER_TEXT = 200;
/** Default request timeout. */
export const DEFAULT_EMAIL_TIMEOUT_MS = 10_000;

/** Thrown when the provider refuses or cannot be reached. Never carries request headers. */
export class EmailDeliveryError extends Error {
  override name = 'EmailDeliveryError';
  readonly code = 'email_delivery_failed';
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super(message);
    this.status = status;
  }
}

/**
 * POSTs `JSON.stringify(buildBody(to, url, context))` to `endpoint` with a JSON content type and
 * `headers`; aborts after `timeoutMs` (10 s); throws `EmailDeliveryError` on non-2xx with the status
 * and at most 200 characters of the response text.
 * @example new HttpEmailService({ endpoint: 'https://api.resend.com/emails', headers: { Authorization: `Bearer ${key}` }, buildBody: (to, url) => ({ to, text: url }) });
 */
export class HttpEmailService implements EmailService {
  readonly #endpoint: string;
  readonly #headers: Record<string, string>;
  readonly #buildBody: HttpEmailServiceOptions['buildBody'];
  readonly #timeoutMs: number;
  readonly #fetch: (input: Request) => Promise<Response>;
  readonly #log = debug('lmz.auth.HttpEmailService');

  constructor(options: HttpEmailServiceOptions) {
    if (typeof options?.endpoint !== 'string' || !/^https?:\/\//i.test(options.endpoint)) {
      throw new TypeError('HttpEmailService: endpoint must be an http(s) URL');
    }
    if (typeof options.buildBody !== 'function') throw new TypeError('HttpEmailService: buildBody must be a function');
    const timeoutMs = options.timeoutMs ?? DEFAULT_EMAIL_TIMEOUT_MS;
    if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) throw new TypeError('HttpEmailService: timeoutMs must be a positive number');
    this.#endpoint = options.endpoint;
    this.#headers = { ...(options.headers ?? {}) };
    this.#buildBody = options.buildBody;
    this.#timeoutMs = timeoutMs;
    this.#fetch = options.fetch ?? ((request) => fetch(request));
  }

  async send(to: string, magicLinkUrl: string, context: EmailContext = { purpose: 'login', expiresInSeconds: 0 }): Promise<void> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.#timeoutMs);
    let response: Response;
    try {
      response = await this.#fetch(
        new Request(this.#endpoint, {
          method: 'POST',
          headers: { ...this.#headers, 'Content-Type': 'application/json' },
          body: JSON.stringify(this.#buildBody(to, magicLinkUrl, context)),
          signal: controller.signal,
        }),
      );
    } catch (error) {
      const reason = controller.signal.aborted ? `timed out after ${this.#timeoutMs} ms` : 'request failed';
      this.#log.warn('provider unreachable', { reason, errorName: (error as Error)?.name });
      throw new EmailDeliveryError(`Email provider ${reason}`);
    } finally {
      clearTimeout(timer);
    }
    if (!response.ok) {
      // Providers echo recipients in their errors: addresses are reduced before the text goes anywhere.
      const text = redactText(await response.text().catch(() => '')).slice(0, MAX_PROVIDER_TEXT);
      throw new EmailDeliveryError(`Email provider responded ${response.status}: ${text}`, response.status);
    }
    // Drain the body so the connection is released.
    await response.body?.cancel();
  }
}
