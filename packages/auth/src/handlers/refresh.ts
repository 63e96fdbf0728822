/** `POST {prefix}/refresh-token` and `POST {prefix}/logout` (spec §3.6, §3.7). */
import { AuthFailure, jsonResponse } from '../auth-error.ts';
import { randomToken, sha256Hex } from '../random.ts';
import { clearRefreshCookie, readRefreshToken, refreshCookie } from '../refresh-cookie.ts';
import { issueAccessToken, signingKey } from '../signing.ts';
import { checkPresented, revokeForLogout, rotate, type RotateOutcome } from '../store/refresh-tokens.ts';
import { purgeExpired } from '../store/schema.ts';
import { rateLimited, type HandlerContext } from './context.ts';

/** The stable refresh response shape the mesh client reads (`access_token`). */
export interface LoginResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

const DESCRIPTIONS = {
  invalid_token: 'Invalid refresh token',
  token_expired: 'Refresh token expired',
  token_revoked: 'Refresh token revoked',
} as const;

/** Logs a refused refresh (reuse detection, or the plain reason) and builds its 401. */
function refused(ctx: HandlerContext, outcome: Extract<RotateOutcome, { ok: false }>): AuthFailure {
  if (outcome.familyRevoked) ctx.log.warn('refresh token reuse detected; token family revoked', { userId: outcome.userId });
  else ctx.log.warn('refresh refused', { reason: outcome.code, ...(outcome.userId ? { userId: outcome.userId } : {}) });
  return new AuthFailure(401, outcome.code, DESCRIPTIONS[outcome.code]);
}

/** Rotates the refresh cookie and returns a fresh access token. */
export async function refresh(ctx: HandlerContext): Promise<Response> {
  const presented = readRefreshToken(ctx.request);
  if (!presented) throw new AuthFailure(401, 'invalid_token', 'Missing refresh token');
  const tokenHash = await sha256Hex(presented);
  const { config } = ctx;
  const graceMs = config.refreshReuseGraceSeconds * 1000;
  // The user tier is charged only for a token proven usable: a victim's stale token cannot drain it.
  const presentedOutcome = checkPresented(ctx.sql, tokenHash, Date.now(), graceMs);
  if (!presentedOutcome.ok) throw refused(ctx, presentedOutcome);
  if (!(await ctx.rateLimit('user', `refresh:${presentedOutcome.userId}`))) {
    ctx.log.warn('rate limited', { tier: 'user', userId: presentedOutcome.userId });
    throw rateLimited(config);
  }
  // Misconfigured keys fail here, before the presented token is spent.
  const signer = await signingKey(ctx.env);
  const next = randomToken();
  const nextHash = await sha256Hex(next);

  // Re-read time after the awaits: rotation and grace are judged again at the moment of the write.
  const now = Date.now();
  const outcome = rotate(ctx.sql, tokenHash, nextHash, now, graceMs, config.refreshTokenTtl * 1000);
  if (!outcome.ok) throw refused(ctx, outcome);
  purgeExpired(ctx.sql, now);
  if (outcome.grace) ctx.log.debug('rotated token reused within grace window', { userId: outcome.userId });
  const accessToken = await issueAccessToken(signer, { issuer: config.issuer, audience: config.audience, userId: outcome.userId, ttlSeconds: config.accessTokenTtl });
  const body: LoginResponse = { access_token: accessToken, token_type: 'Bearer', expires_in: config.accessTokenTtl };
  return jsonResponse(body, 200, { 'Set-Cookie': refreshCookie(next, config.prefix, config.refreshTokenTtl) });
}

/** Revokes the presented token's login session (if any) and clears the cookie. Always 200. */
export async function logout(ctx: HandlerContext): Promise<Response> {
  const presented = readRefreshToken(ctx.request);
  if (presented) {
    const tokenHash = await sha256Hex(presented);
    if (revokeForLogout(ctx.sql, tokenHash, Date.now())) ctx.log.info('logged out');
  }
  return jsonResponse({ message: 'Logged out' }, 200, { 'Set-Cookie': clearRefreshCookie(ctx.config.prefix) });
}
