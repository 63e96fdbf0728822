/** `POST {prefix}/email-magic-link` and `GET {prefix}/magic-link` (spec §3.3, §3.4, §3.15). */
import { AuthFailure, jsonResponse } from '../auth-error.ts';
import { isDomainAllowed, normalizeEmail } from '../email-address.ts';
import { randomToken, constantTimeEqual, sha256Hex } from '../random.ts';
import { recipientRateKey } from '../recipient-key.ts';
import { redactEmail, redactText } from '../redact.ts';
import { refreshCookie } from '../refresh-cookie.ts';
import { findMagicLink, insertMagicLink, markUsed, type LinkPurpose } from '../store/magic-links.ts';
import { insertRefreshToken } from '../store/refresh-tokens.ts';
import { purgeExpired } from '../store/schema.ts';
import { createUserWithEmail, removeOtherUnverifiedClaims, touchLogin, userIdByVerifiedEmail, verifyEmail } from '../store/users.ts';
import { rateLimited, readJsonObject, type HandlerContext } from './context.ts';

const SENT_MESSAGE = 'Check your email for the magic link';

/** Validated, normalized email from a JSON body; 400 / 403 otherwise. */
export async function emailFromBody(ctx: HandlerContext): Promise<string> {
  const body = await readJsonObject(ctx.request);
  if (body.email === undefined) throw new AuthFailure(400, 'invalid_request', 'Missing email');
  const email = normalizeEmail(body.email);
  if (!email) throw new AuthFailure(400, 'invalid_request', 'Invalid email address');
  if (!isDomainAllowed(email, ctx.config.allowedEmailDomains)) {
    ctx.log.warn('email domain not allowed', { email: redactEmail(email) });
    throw new AuthFailure(403, 'domain_not_allowed', 'Email domain not allowed');
  }
  return email;
}

/**
 * Stores a hashed one-time token and delivers its link (or, in test mode, returns it).
 * Delivery failures are logged, never reported, so responses do not reveal anything.
 */
export async function issueLink(
  ctx: HandlerContext,
  link: { email: string; purpose: LinkPurpose; userId: string | null; requestedBy?: string },
): Promise<{ magicLink: string | undefined; expiresIn: number }> {
  const token = randomToken();
  const state = randomToken();
  const tokenHash = await sha256Hex(token);
  const { magicLinkTtl, prefix } = ctx.config;
  purgeExpired(ctx.sql, ctx.now);
  insertMagicLink(ctx.sql, { tokenHash, state, email: link.email, purpose: link.purpose, userId: link.userId, now: ctx.now, expiresAt: ctx.now + magicLinkTtl * 1000 });
  // `configure` requires magicLinkBaseUrl unless AUTH_DEV_MODE is "true": only then is the request origin used.
  const base = ctx.config.magicLinkBaseUrl ?? ctx.url.origin;
  const url = `${base}${prefix}/magic-link?magic-link-token=${token}&state=${state}`;
  if (ctx.testMode) return { magicLink: url, expiresIn: magicLinkTtl };
  try {
    await ctx.emailService().send(link.email, url, { purpose: link.purpose, expiresInSeconds: magicLinkTtl, ...(link.requestedBy ? { requestedBy: link.requestedBy } : {}) });
  } catch (error) {
    const e = error as { name?: unknown; message?: unknown; status?: unknown };
    ctx.log.error('email send failed', { to: redactEmail(link.email), purpose: link.purpose, errorName: e?.name, status: e?.status, message: redactText(e?.message) });
  }
  return { magicLink: undefined, expiresIn: magicLinkTtl };
}

/** Email tier: one bucket per mailbox (`recipientRateKey`), shared by login and linking emails; 429 when spent. */
export async function limitRecipient(ctx: HandlerContext, email: string): Promise<void> {
  if (await ctx.rateLimit('email', recipientRateKey(email))) return;
  ctx.log.warn('rate limited', { tier: 'email', email: redactEmail(email) });
  throw rateLimited(ctx.config);
}

/** `POST {prefix}/email-magic-link` `{ email }`. */
export async function requestMagicLink(ctx: HandlerContext): Promise<Response> {
  const email = await emailFromBody(ctx);
  await limitRecipient(ctx, email);
  const { magicLink, expiresIn } = await issueLink(ctx, { email, purpose: 'login', userId: null });
  return jsonResponse(magicLink ? { message: SENT_MESSAGE, magic_link: magicLink, expires_in: expiresIn } : { message: SENT_MESSAGE, expires_in: expiresIn });
}

function linkFailure(ctx: HandlerContext, code: 'invalid_token' | 'invalid_state' | 'token_used' | 'token_expired', description: string): AuthFailure {
  ctx.log.warn('magic link refused', { reason: code });
  return new AuthFailure(400, code, description);
}

/** `GET {prefix}/magic-link?magic-link-token=…&state=…`: login (302 + cookie) or address linking (302, no session). */
export async function consumeMagicLink(ctx: HandlerContext): Promise<Response> {
  const token = ctx.url.searchParams.get('magic-link-token');
  const state = ctx.url.searchParams.get('state');
  if (!token || !state) throw new AuthFailure(400, 'invalid_request', 'Missing magic-link-token or state');
  const tokenHash = await sha256Hex(token);
  // Prepared before the synchronous block so nothing awaits between the checks and the writes.
  const refreshToken = randomToken();
  const refreshHash = await sha256Hex(refreshToken);

  const { sql, now, config } = ctx;
  const link = findMagicLink(sql, tokenHash);
  if (!link) throw linkFailure(ctx, 'invalid_token', 'Unknown magic link');
  if (!constantTimeEqual(link.state, state)) throw linkFailure(ctx, 'invalid_state', 'State does not match');
  if (link.used_at !== null) throw linkFailure(ctx, 'token_used', 'Magic link already used');
  if (link.expires_at <= now) throw linkFailure(ctx, 'token_expired', 'Magic link expired');
  markUsed(sql, tokenHash, now);
  const headers = new Headers({ Location: config.redirect, 'Cache-Control': 'no-store' });

  if (link.purpose === 'link') {
    const owner = userIdByVerifiedEmail(sql, link.email);
    if (!link.user_id || (owner !== undefined && owner !== link.user_id)) {
      ctx.log.warn('link refused: email verified on another account', { email: redactEmail(link.email) });
      throw new AuthFailure(409, 'email_in_use', 'This email is already verified on another account');
    }
    verifyEmail(sql, link.user_id, link.email, now);
    removeOtherUnverifiedClaims(sql, link.email, link.user_id);
    ctx.log.info('email linked', { userId: link.user_id, email: redactEmail(link.email) });
    return new Response(null, { status: 302, headers });
  }

  let userId = userIdByVerifiedEmail(sql, link.email);
  if (!userId) {
    userId = createUserWithEmail(sql, link.email, now);
    ctx.log.info('user created', { userId, email: redactEmail(link.email) });
  }
  removeOtherUnverifiedClaims(sql, link.email, userId);
  touchLogin(sql, userId, now);
  insertRefreshToken(sql, { tokenHash: refreshHash, userId, familyId: crypto.randomUUID(), now, expiresAt: now + config.refreshTokenTtl * 1000 });
  purgeExpired(sql, now);
  ctx.log.info('login completed', { userId });
  headers.set('Set-Cookie', refreshCookie(refreshToken, config.prefix, config.refreshTokenTtl));
  return new Response(null, { status: 302, headers });
}
