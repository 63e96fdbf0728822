/** `DELETE {prefix}/users/:userId/sessions` for super-admins (spec §3.14). */
import { AuthFailure, jsonResponse } from '../auth-error.ts';
import { deleteAllForUser } from '../store/refresh-tokens.ts';
import { hasVerifiedEmailIn } from '../store/users.ts';
import { requireUser } from './bearer.ts';
import { rateLimited, type HandlerContext } from './context.ts';

/** Super-admin emails: configuration plus env `AUTH_SUPER_ADMIN_EMAILS` (comma-separated), lower-cased. */
export function superAdmins(ctx: HandlerContext): Set<string> {
  const fromEnv = typeof ctx.env.AUTH_SUPER_ADMIN_EMAILS === 'string' ? ctx.env.AUTH_SUPER_ADMIN_EMAILS.split(',') : [];
  return new Set([...ctx.config.superAdminEmails, ...fromEnv].map((e) => e.trim().toLowerCase()).filter((e) => e !== ''));
}

/** Revokes every refresh token of `:userId`. Admin status is checked on every call (no admin claim in tokens). */
export async function revokeUserSessions(ctx: HandlerContext, targetUserId: string): Promise<Response> {
  const caller = await requireUser(ctx);
  if (!(await ctx.rateLimit('user', `admin:${caller}`))) throw rateLimited(ctx.config);
  if (!hasVerifiedEmailIn(ctx.sql, caller, superAdmins(ctx))) {
    ctx.log.warn('forbidden admin call', { userId: caller });
    throw new AuthFailure(403, 'forbidden', 'Super-admin required');
  }
  if (!ctx.sql.one(`SELECT 1 AS x FROM users WHERE id = ?`, targetUserId)) throw new AuthFailure(404, 'user_not_found', 'No such user');
  const revoked = deleteAllForUser(ctx.sql, targetUserId);
  ctx.log.info('sessions revoked', { userId: targetUserId, by: caller, revoked });
  return jsonResponse({ message: 'Sessions revoked', revoked });
}
