/** Test email service: records what would have been sent. */
import type { EmailContext, EmailService } from './email-types.ts';

/** One recorded message. */
export interface SentEmail {
  to: string;
  magicLinkUrl: string;
  purpose: EmailContext['purpose'];
  timestamp: number;
}

/**
 * Records every message in `sentEmails` instead of delivering it. Use it from a test subclass of
 * `LumenizeAuth` (override `createEmailService`) and expose the records through your own RPC method.
 * @example const mock = new MockEmailService(); await mock.send('a@x.com', url); mock.getLatestFor('a@x.com');
 */
export class MockEmailService implements EmailService {
  readonly sentEmails: SentEmail[] = [];

  async send(to: string, magicLinkUrl: string, context?: EmailContext): Promise<void> {
    this.sentEmails.push({ to, magicLinkUrl, purpose: context?.purpose ?? 'login', timestamp: Date.now() });
  }

  /** Forgets every recorded message. */
  clear(): void {
    this.sentEmails.length = 0;
  }

  /** The most recent message to `email` (case-insensitive), or `undefined`. */
  getLatestFor(email: string): SentEmail | undefined {
    const wanted = email.toLowerCase();
    for (let i = this.sentEmails.length - 1; i >= 0; i--) if (this.sentEmails[i].to.toLowerCase() === wanted) return this.sentEmails[i];
    return undefined;
  }
}
