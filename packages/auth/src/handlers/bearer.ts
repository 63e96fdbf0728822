/** Internal: `Authorization: Bearer` verified inside the DO for admin and email endpoints. */
import { AuthFailure } from '../auth-error.ts';
import { verifyDetailed } from '../jwt.ts';
import { publicKeysFromEnv } from '../signing.ts';
import type { HandlerContext } from './context.ts';

const BEARER = /^Bearer +([^\s]+)$/i;

/** The verified caller's user id; 401 for a missing or bad token, or a user that does not exist. */
export async function requireUser(ctx: HandlerContext): Promise<string> {
  const header = ctx.request.headers.get('Authorization');
  const match = header ? BEARER.exec(header.trim()) : null;
  if (!match) throw new AuthFailure(401, 'invalid_request', 'Missing bearer token', { 'WWW-Authenticate': 'Bearer realm="Lumenize"' });
  const keys = await publicKeysFromEnv(ctx.env);
  const outcome = await verifyDetailed(match[1], keys, { audience: ctx.config.audience, issuer: ctx.config.issuer });
  const sub = outcome.ok ? outcome.payload.sub : undefined;
  if (typeof sub !== 'string' || sub === '') {
    ctx.log.warn('bearer token refused', { reason: outcome.ok ? 'missing_subject' : outcome.reason });
    throw new AuthFailure(401, 'invalid_token', 'Invalid or expired access token', { 'WWW-Authenticate': 'Bearer realm="Lumenize", error="invalid_token"' });
  }
  if (!ctx.sql.one(`SELECT 1 AS x FROM users WHERE id = ?`, sub)) throw new AuthFailure(401, 'invalid_token', 'Unknown user');
  return sub;
}
