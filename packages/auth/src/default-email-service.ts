/** Picks the email service from the environment (spec §3.13). */
import { ConsoleEmailService } from './console-email-service.ts';
import { magicLinkEmail } from './email-content.ts';
import type { EmailService } from './email-types.ts';
import { HttpEmailService } from './http-email-service.ts';
import { SendEmailBindingService, type SendEmailBindingLike } from './send-email-binding-service.ts';

interface EmailEnv {
  AUTH_EMAIL_ENDPOINT?: unknown;
  AUTH_EMAIL_API_KEY?: unknown;
  AUTH_EMAIL_FROM?: unknown;
  AUTH_SEND_EMAIL?: unknown;
}

function isSendEmailBinding(value: unknown): value is SendEmailBindingLike {
  return typeof value === 'object' && value !== null && typeof (value as { send?: unknown }).send === 'function';
}

/**
 * `AUTH_EMAIL_ENDPOINT` set → `HttpEmailService` (bearer `AUTH_EMAIL_API_KEY`, body
 * `{ from, to, subject, text, html }`); else a `send_email` binding `AUTH_SEND_EMAIL` with
 * `AUTH_EMAIL_FROM` → delivery through Cloudflare; else `ConsoleEmailService`.
 * @example createDefaultEmailService(env).send('a@example.com', link, { purpose: 'login', expiresInSeconds: 1800 });
 */
export function createDefaultEmailService(env?: object): EmailService {
  const e = (env ?? {}) as EmailEnv;
  const from = typeof e.AUTH_EMAIL_FROM === 'string' ? e.AUTH_EMAIL_FROM : undefined;
  if (typeof e.AUTH_EMAIL_ENDPOINT === 'string' && e.AUTH_EMAIL_ENDPOINT !== '') {
    const headers: Record<string, string> = {};
    if (typeof e.AUTH_EMAIL_API_KEY === 'string' && e.AUTH_EMAIL_API_KEY !== '') headers.Authorization = `Bearer ${e.AUTH_EMAIL_API_KEY}`;
    return new HttpEmailService({
      endpoint: e.AUTH_EMAIL_ENDPOINT,
      headers,
      buildBody: (to, url, context) => ({ from, to, ...magicLinkEmail(url, context) }),
    });
  }
  if (isSendEmailBinding(e.AUTH_SEND_EMAIL) && from) return new SendEmailBindingService(e.AUTH_SEND_EMAIL, from);
  return new ConsoleEmailService();
}
