/** Internal: users and `user_emails` (spec §3.15, §4.1). All functions are synchronous. */
import { domainOf } from '../email-address.ts';
import type { User, UserEmail } from '../user-types.ts';
import type { Sql } from './sql.ts';

type EmailRow = { user_id: string; email: string; verified: number; is_primary: number; created_at: number; verified_at: number | null };
type UserRow = { id: string; created_at: number; last_login_at: number | null };

function toUserEmail(row: EmailRow): UserEmail {
  return { email: row.email, verified: row.verified === 1, primary: row.is_primary === 1, created_at: row.created_at, verified_at: row.verified_at };
}

/** Emails of a user: primary first, then verified, then by creation. */
export function listEmails(sql: Sql, userId: string): UserEmail[] {
  return sql
    .all<EmailRow>(`SELECT * FROM user_emails WHERE user_id = ? ORDER BY is_primary DESC, verified DESC, created_at, email`, userId)
    .map(toUserEmail);
}

export function getUser(sql: Sql, userId: string): User | null {
  const row = sql.one<UserRow>(`SELECT id, created_at, last_login_at FROM users WHERE id = ?`, userId);
  if (!row) return null;
  const emails = listEmails(sql, userId);
  return { id: row.id, email: emails.find((e) => e.primary)?.email ?? null, emails, created_at: row.created_at, last_login_at: row.last_login_at };
}

/** The user holding `email` as a verified address, if any. */
export function userIdByVerifiedEmail(sql: Sql, email: string): string | undefined {
  return sql.one<{ user_id: string }>(`SELECT user_id FROM user_emails WHERE email = ? AND verified = 1`, email)?.user_id;
}

export function findEmail(sql: Sql, userId: string, email: string): UserEmail | undefined {
  const row = sql.one<EmailRow>(`SELECT * FROM user_emails WHERE user_id = ? AND email = ?`, userId, email);
  return row && toUserEmail(row);
}

/** Creates a user whose primary, verified address is `email`. */
export function createUserWithEmail(sql: Sql, email: string, now: number): string {
  const id = crypto.randomUUID();
  sql.run(`INSERT INTO users (id, created_at, last_login_at) VALUES (?, ?, NULL)`, id, now);
  sql.run(
    `INSERT INTO user_emails (user_id, email, domain, verified, is_primary, created_at, verified_at) VALUES (?, ?, ?, 1, 1, ?, ?)`,
    id,
    email,
    domainOf(email),
    now,
    now,
  );
  return id;
}

export function touchLogin(sql: Sql, userId: string, now: number): void {
  sql.run(`UPDATE users SET last_login_at = ? WHERE id = ?`, now, userId);
}

/** Proven ownership wins: drops unverified claims on `email` by every account except `keepUserId`. */
export function removeOtherUnverifiedClaims(sql: Sql, email: string, keepUserId: string): void {
  sql.run(`DELETE FROM user_emails WHERE email = ? AND verified = 0 AND user_id != ?`, email, keepUserId);
}

/** Records an unverified claim (no-op when the row exists). */
export function addUnverifiedEmail(sql: Sql, userId: string, email: string, now: number): void {
  sql.run(
    `INSERT OR IGNORE INTO user_emails (user_id, email, domain, verified, is_primary, created_at, verified_at) VALUES (?, ?, ?, 0, 0, ?, NULL)`,
    userId,
    email,
    domainOf(email),
    now,
  );
}

/** Marks (or inserts) `email` verified on `userId`; it becomes primary if the user has none. */
export function verifyEmail(sql: Sql, userId: string, email: string, now: number): void {
  addUnverifiedEmail(sql, userId, email, now);
  sql.run(`UPDATE user_emails SET verified = 1, verified_at = ? WHERE user_id = ? AND email = ?`, now, userId, email);
  const hasPrimary = sql.one(`SELECT 1 AS x FROM user_emails WHERE user_id = ? AND is_primary = 1`, userId);
  if (!hasPrimary) sql.run(`UPDATE user_emails SET is_primary = 1 WHERE user_id = ? AND email = ?`, userId, email);
}

export function setPrimary(sql: Sql, userId: string, email: string): void {
  sql.run(`UPDATE user_emails SET is_primary = 0 WHERE user_id = ? AND is_primary = 1`, userId);
  sql.run(`UPDATE user_emails SET is_primary = 1 WHERE user_id = ? AND email = ?`, userId, email);
}

export function removeEmail(sql: Sql, userId: string, email: string): void {
  sql.run(`DELETE FROM user_emails WHERE user_id = ? AND email = ?`, userId, email);
}

export function countVerified(sql: Sql, userId: string): number {
  return sql.one<{ n: number }>(`SELECT COUNT(*) AS n FROM user_emails WHERE user_id = ? AND verified = 1`, userId)?.n ?? 0;
}

/** True when any of the user's verified emails is in `admins` (lower-cased). */
export function hasVerifiedEmailIn(sql: Sql, userId: string, admins: ReadonlySet<string>): boolean {
  if (admins.size === 0) return false;
  return sql.all<{ email: string }>(`SELECT email FROM user_emails WHERE user_id = ? AND verified = 1`, userId).some((r) => admins.has(r.email));
}
