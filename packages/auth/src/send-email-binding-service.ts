/** Internal: delivery through a Cloudflare `send_email` binding (Email Routing / Email Sending). */
import { magicLinkEmail } from './email-content.ts';
import type { EmailContext, EmailService } from './email-types.ts';

/** Structural view of the `send_email` binding's builder form. */
export interface SendEmailBindingLike {
  send(message: { from: string; to: string; subject: string; text: string; html: string }): Promise<unknown>;
}

/** Sends through `env.AUTH_SEND_EMAIL` from `AUTH_EMAIL_FROM`; the binding's errors propagate. */
export class SendEmailBindingService implements EmailService {
  readonly #binding: SendEmailBindingLike;
  readonly #from: string;

  constructor(binding: SendEmailBindingLike, from: string) {
    this.#binding = binding;
    this.#from = from;
  }

  async send(to: string, magicLinkUrl: string, context: EmailContext = { purpose: 'login', expiresInSeconds: 0 }): Promise<void> {
    const { subject, text, html } = magicLinkEmail(magicLinkUrl, context);
    await this.#binding.send({ from: this.#from, to, subject, text, html });
  }
}
