/** Internal: subject, text and HTML of magic-link emails, worded per purpose. */
import type { EmailContext } from './email-types.ts';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function minutes(seconds: number): string {
  const m = Math.max(1, Math.round(seconds / 60));
  return `${m} minute${m === 1 ? '' : 's'}`;
}

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

/** Login links sign in; link emails name the requesting account and grant no session. */
export function magicLinkEmail(magicLinkUrl: string, context: EmailContext): EmailContent {
  const expires = minutes(context.expiresInSeconds);
  if (context.purpose === 'link') {
    const who = context.requestedBy ? `the account ${context.requestedBy}` : 'an existing account';
    const lead = `Someone signed in as ${who} asked to add this email address to that account.`;
    const action = 'Confirm only if that is your account. Confirming does not sign you in.';
    return {
      subject: 'Confirm adding your email address',
      text: `${lead}\n${action}\n\n${magicLinkUrl}\n\nThis link expires in ${expires}. If this was not you, ignore this email.`,
      html: `<p>${escapeHtml(lead)}</p><p>${escapeHtml(action)}</p><p><a href="${escapeHtml(magicLinkUrl)}">Confirm this address</a></p><p>This link expires in ${expires}. If this was not you, ignore this email.</p>`,
    };
  }
  return {
    subject: 'Your sign-in link',
    text: `Sign in with this link:\n\n${magicLinkUrl}\n\nIt expires in ${expires} and works once. If you did not ask for it, ignore this email.`,
    html: `<p><a href="${escapeHtml(magicLinkUrl)}">Sign in</a></p><p>This link expires in ${expires} and works once. If you did not ask for it, ignore this email.</p>`,
  };
}
