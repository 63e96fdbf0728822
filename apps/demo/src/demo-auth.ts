/**
 * DemoAuth: `LumenizeAuth` with a development mailbox. When `DEMO_DEV_MAILBOX` is `"true"`
 * (wrangler.jsonc, DEV ONLY), magic links are not emailed: they are printed to the terminal that
 * runs `npm start` and kept so the /dev/mailbox page can show them. Otherwise the email service
 * comes from the environment as usual (`createDefaultEmailService`).
 */
import { LumenizeAuth, type EmailContext, type EmailService } from '@lumenize/auth';

/** A magic link the dev mailbox holds. */
export interface DevMail {
  to: string;
  link: string;
  purpose: string;
  /** Epoch milliseconds. */
  sentAt: number;
}

const MAILBOX_LIMIT = 50;

/**
 * The auth Durable Object of the demo (bound as `LUMENIZE_AUTH`).
 * @example wrangler.jsonc: { "name": "LUMENIZE_AUTH", "class_name": "DemoAuth" }
 */
export class DemoAuth extends LumenizeAuth {
  protected override createEmailService(env: Record<string, unknown>): EmailService {
    if (env.DEMO_DEV_MAILBOX !== 'true') return super.createEmailService(env);
    const sql = this.ctx.storage.sql;
    sql.exec('CREATE TABLE IF NOT EXISTS dev_mailbox (id INTEGER PRIMARY KEY AUTOINCREMENT, to_email TEXT NOT NULL, link TEXT NOT NULL, purpose TEXT NOT NULL, sent_at INTEGER NOT NULL)');
    return {
      async send(to: string, magicLinkUrl: string, context?: EmailContext): Promise<void> {
        const purpose = context?.purpose ?? 'login';
        sql.exec('INSERT INTO dev_mailbox (to_email, link, purpose, sent_at) VALUES (?, ?, ?, ?)', to, magicLinkUrl, purpose, Date.now());
        sql.exec('DELETE FROM dev_mailbox WHERE id NOT IN (SELECT id FROM dev_mailbox ORDER BY id DESC LIMIT ?)', MAILBOX_LIMIT);
        // Deliberately plain console output: this is the "email" a developer reads in the terminal.
        console.log(`\n  [dev mailbox] magic link for ${to} (${purpose}):\n  ${magicLinkUrl}\n  (also listed at ${new URL(magicLinkUrl).origin}/dev/mailbox)\n`);
      },
    };
  }

  /** DEV ONLY: the newest magic links, newest first (empty unless `DEMO_DEV_MAILBOX` is `"true"`). */
  devMailbox(): DevMail[] {
    if (this.env.DEMO_DEV_MAILBOX !== 'true') return [];
    const sql = this.ctx.storage.sql;
    sql.exec('CREATE TABLE IF NOT EXISTS dev_mailbox (id INTEGER PRIMARY KEY AUTOINCREMENT, to_email TEXT NOT NULL, link TEXT NOT NULL, purpose TEXT NOT NULL, sent_at INTEGER NOT NULL)');
    return sql
      .exec<{ to_email: string; link: string; purpose: string; sent_at: number }>('SELECT to_email, link, purpose, sent_at FROM dev_mailbox ORDER BY id DESC')
      .toArray()
      .map((r) => ({ to: r.to_email, link: r.link, purpose: r.purpose, sentAt: r.sent_at }));
  }
}
