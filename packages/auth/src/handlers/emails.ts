/** Email discovery and linking endpoints for the signed-in caller (spec §3.15). */
import { AuthFailure, jsonResponse } from '../auth-error.ts';
import { normalizeEmail } from '../email-address.ts';
import { redactEmail } from '../redact.ts';
import { addUnverifiedEmail, countVerified, findEmail, getUser, listEmails, removeEmail, setPrimary, userIdByVerifiedEmail } from '../store/users.ts';
import { requireUser } from './bearer.ts';
import { rateLimited, type HandlerContext } from './context.ts';
import { emailFromBody, issueLink, limitRecipient } from './magic-link.ts';

async function caller(ctx: HandlerContext): Promise<string> {
  const userId = await requireUser(ctx);
  if (!(await ctx.rateLimit('user', `emails:${userId}`))) throw rateLimited(ctx.config);
  return userId;
}

/** `GET {prefix}/emails`. */
export async function listCallerEmails(ctx: HandlerContext): Promise<Response> {
  const userId = await caller(ctx);
  return jsonResponse({ emails: listEmails(ctx.sql, userId) });
}

/** `POST {prefix}/emails` `{ email }`: records an unverified claim and sends a `link` email. */
export async function addCallerEmail(ctx: HandlerContext): Promise<Response> {
  const userId = await caller(ctx);
  const email = await emailFromBody(ctx);
  const owner = userIdByVerifiedEmail(ctx.sql, email);
  if (owner === userId) return jsonResponse({ message: 'Email already verified on your account' });
  if (owner !== undefined) {
    ctx.log.warn('link refused: email verified on another account', { email: redactEmail(email) });
    throw new AuthFailure(409, 'email_in_use', 'This email is already verified on another account');
  }
  // Per recipient, before anything is stored: many accounts must not flood one mailbox.
  await limitRecipient(ctx, email);
  addUnverifiedEmail(ctx.sql, userId, email, ctx.now);
  const requestedBy = getUser(ctx.sql, userId)?.email ?? undefined;
  const { magicLink, expiresIn } = await issueLink(ctx, { email, purpose: 'link', userId, requestedBy });
  const message = 'Check that mailbox for a confirmation link';
  return jsonResponse(magicLink ? { message, magic_link: magicLink, expires_in: expiresIn } : { message, expires_in: expiresIn }, 202);
}

function pathEmail(raw: string): string {
  const email = normalizeEmail(raw);
  if (!email) throw new AuthFailure(404, 'email_not_found', 'No such email on your account');
  return email;
}

/** `POST {prefix}/emails/:email/primary`. */
export async function makePrimary(ctx: HandlerContext, raw: string): Promise<Response> {
  const userId = await caller(ctx);
  const email = pathEmail(raw);
  const row = findEmail(ctx.sql, userId, email);
  if (!row) throw new AuthFailure(404, 'email_not_found', 'No such email on your account');
  if (!row.verified) throw new AuthFailure(409, 'email_unverified', 'Only a verified email can be primary');
  setPrimary(ctx.sql, userId, email);
  return jsonResponse({ message: 'Primary email updated', emails: listEmails(ctx.sql, userId) });
}

/** `DELETE {prefix}/emails/:email`. */
export async function deleteCallerEmail(ctx: HandlerContext, raw: string): Promise<Response> {
  const userId = await caller(ctx);
  const email = pathEmail(raw);
  const row = findEmail(ctx.sql, userId, email);
  if (!row) throw new AuthFailure(404, 'email_not_found', 'No such email on your account');
  if (row.verified && countVerified(ctx.sql, userId) === 1) throw new AuthFailure(409, 'last_verified_email', 'Cannot remove your only verified email');
  if (row.primary) throw new AuthFailure(409, 'cannot_remove_primary', 'Make another verified email primary first');
  removeEmail(ctx.sql, userId, email);
  return jsonResponse({ message: 'Email removed', emails: listEmails(ctx.sql, userId) });
}
