/** Development email service: the link goes to the debug logger, not to a mailbox. */
import { debug } from '@lumenize/debug';
import type { EmailContext, EmailService } from './email-types.ts';

let warned = false;

/**
 * Logs recipient and link under `lmz.auth.ConsoleEmailService` at info level (visible only when
 * `DEBUG` enables it), and warns once per isolate that no real provider is configured.
 * @example new ConsoleEmailService().send('a@example.com', link, { purpose: 'login', expiresInSeconds: 1800 });
 */
export class ConsoleEmailService implements EmailService {
  readonly #log = debug('lmz.auth.ConsoleEmailService');

  async send(to: string, magicLinkUrl: string, context?: EmailContext): Promise<void> {
    if (!warned) {
      warned = true;
      this.#log.warn('No email provider configured: magic links are only logged (development only)');
    }
    this.#log.info('magic link', { to, magicLinkUrl, purpose: context?.purpose ?? 'login' });
  }
}
