/**
 * The app's auth Durable Object: `LumenizeAuth` (magic links, JWT, refresh cookies). In local
 * development (`AUTH_DEV_MODE="true"`, set only in .dev.vars) the magic link is printed to the
 * terminal running `npm start` instead of being emailed; deployed, the default email service is
 * used (configure AUTH_EMAIL_ENDPOINT / AUTH_EMAIL_API_KEY / AUTH_EMAIL_FROM).
 */
import { LumenizeAuth, type EmailContext, type EmailService } from '@lumenize/auth';

export class AppAuth extends LumenizeAuth {
  protected override createEmailService(env: Record<string, unknown>): EmailService {
    if (env.AUTH_DEV_MODE !== 'true') return super.createEmailService(env);
    return {
      async send(to: string, magicLinkUrl: string, context?: EmailContext): Promise<void> {
        // Plain console output on purpose: in local development this is the email you read.
        console.log(`\n  [dev] ${context?.purpose ?? 'login'} link for ${to}:\n  ${magicLinkUrl}\n`);
      },
    };
  }
}
