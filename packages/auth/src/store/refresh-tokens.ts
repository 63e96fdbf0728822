/**
 * Internal: refresh tokens, stored as SHA-256 hashes and grouped in families (one per login).
 * `rotate` is one synchronous step: lookup, checks, revocation and the new row, with no await in
 * between, so concurrent refreshes are serialized by the DO.
 */
import type { Sql } from './sql.ts';

export type RevokedReason = 'rotated' | 'logout' | 'reuse_detected';

interface RefreshRow {
  token_hash: string;
  user_id: string;
  family_id: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
  revoked_reason: RevokedReason | null;
  [column: string]: string | number | null;
}

export type RotateOutcome =
  | { ok: true; userId: string; familyId: string; grace: boolean }
  | { ok: false; code: 'invalid_token' | 'token_expired' | 'token_revoked'; userId?: string; familyRevoked?: boolean };

export function insertRefreshToken(sql: Sql, t: { tokenHash: string; userId: string; familyId: string; now: number; expiresAt: number }): void {
  sql.run(
    `INSERT INTO refresh_tokens (token_hash, user_id, family_id, created_at, expires_at, revoked_at, revoked_reason) VALUES (?, ?, ?, ?, ?, NULL, NULL)`,
    t.tokenHash,
    t.userId,
    t.familyId,
    t.now,
    t.expiresAt,
  );
}

/** Revokes every token of a family; already-revoked rows keep their time but lose any grace. */
function revokeFamily(sql: Sql, familyId: string, now: number, reason: RevokedReason): void {
  sql.run(
    `UPDATE refresh_tokens SET revoked_at = COALESCE(revoked_at, ?), revoked_reason = ? WHERE family_id = ?`,
    now,
    reason,
    familyId,
  );
}

/**
 * Judges the presented token: usable (unrevoked, or rotated at most `graceMs` ago) and unexpired,
 * or why not. Any other reuse of a rotated token is theft: the whole family is revoked.
 * Only a usable token names a user, so a stale token never touches its owner's rate-limit bucket.
 */
export function checkPresented(sql: Sql, tokenHash: string, now: number, graceMs: number): RotateOutcome {
  const row = sql.one<RefreshRow>(`SELECT * FROM refresh_tokens WHERE token_hash = ?`, tokenHash);
  if (!row) return { ok: false, code: 'invalid_token' };
  if (row.expires_at <= now) return { ok: false, code: 'token_expired', userId: row.user_id };
  if (row.revoked_at === null) return { ok: true, userId: row.user_id, familyId: row.family_id, grace: false };
  if (row.revoked_reason === 'rotated' && graceMs > 0 && now - row.revoked_at <= graceMs) {
    return { ok: true, userId: row.user_id, familyId: row.family_id, grace: true };
  }
  const familyRevoked = row.revoked_reason === 'rotated';
  if (familyRevoked) revokeFamily(sql, row.family_id, now, 'reuse_detected');
  return { ok: false, code: 'token_revoked', userId: row.user_id, familyRevoked };
}

/**
 * Re-judges `tokenHash` (state may have changed while the caller awaited) and, when usable,
 * replaces it by `newHash` in the same family, all in one synchronous step.
 */
export function rotate(sql: Sql, tokenHash: string, newHash: string, now: number, graceMs: number, ttlMs: number): RotateOutcome {
  const outcome = checkPresented(sql, tokenHash, now, graceMs);
  if (!outcome.ok) return outcome;
  if (!outcome.grace) sql.run(`UPDATE refresh_tokens SET revoked_at = ?, revoked_reason = 'rotated' WHERE token_hash = ?`, now, tokenHash);
  insertRefreshToken(sql, { tokenHash: newHash, userId: outcome.userId, familyId: outcome.familyId, now, expiresAt: now + ttlMs });
  return outcome;
}

/** Logout: revokes the presented token's whole family (every tab of that login). Unknown tokens are ignored. */
export function revokeForLogout(sql: Sql, tokenHash: string, now: number): boolean {
  const row = sql.one<{ family_id: string }>(`SELECT family_id FROM refresh_tokens WHERE token_hash = ?`, tokenHash);
  if (!row) return false;
  revokeFamily(sql, row.family_id, now, 'logout');
  return true;
}

/** Deletes every refresh token of a user; returns how many. */
export function deleteAllForUser(sql: Sql, userId: string): number {
  return sql.all(`DELETE FROM refresh_tokens WHERE user_id = ? RETURNING token_hash`, userId).length;
}
