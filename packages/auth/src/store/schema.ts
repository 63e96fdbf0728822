/**
 * Internal: SQL schema version 1 (spec §4.1), created lazily, synchronously and idempotently on
 * first use by any entry point. Decision: `refresh_tokens.family_id` groups the tokens of one
 * login session, so reuse of a rotated token outside the grace window can revoke the whole family.
 */
import type { Sql } from './sql.ts';

export const SCHEMA_VERSION = 1;

const STATEMENTS = [
  `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS users (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, last_login_at INTEGER)`,
  `CREATE TABLE IF NOT EXISTS user_emails (
     user_id TEXT NOT NULL REFERENCES users(id), email TEXT NOT NULL, domain TEXT NOT NULL,
     verified INTEGER NOT NULL DEFAULT 0, is_primary INTEGER NOT NULL DEFAULT 0,
     created_at INTEGER NOT NULL, verified_at INTEGER, PRIMARY KEY (user_id, email))`,
  `CREATE UNIQUE INDEX IF NOT EXISTS user_emails_verified_email ON user_emails(email) WHERE verified = 1`,
  `CREATE UNIQUE INDEX IF NOT EXISTS user_emails_primary_user ON user_emails(user_id) WHERE is_primary = 1`,
  `CREATE INDEX IF NOT EXISTS user_emails_email ON user_emails(email)`,
  `CREATE INDEX IF NOT EXISTS user_emails_domain ON user_emails(domain)`,
  `CREATE TABLE IF NOT EXISTS magic_links (
     token_hash TEXT PRIMARY KEY, state TEXT NOT NULL, email TEXT NOT NULL, purpose TEXT NOT NULL,
     user_id TEXT, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, used_at INTEGER)`,
  `CREATE INDEX IF NOT EXISTS magic_links_email ON magic_links(email)`,
  `CREATE INDEX IF NOT EXISTS magic_links_expires_at ON magic_links(expires_at)`,
  `CREATE TABLE IF NOT EXISTS refresh_tokens (
     token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id), family_id TEXT NOT NULL,
     created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, revoked_at INTEGER, revoked_reason TEXT)`,
  `CREATE INDEX IF NOT EXISTS refresh_tokens_user_id ON refresh_tokens(user_id)`,
  `CREATE INDEX IF NOT EXISTS refresh_tokens_expires_at ON refresh_tokens(expires_at)`,
  `CREATE INDEX IF NOT EXISTS refresh_tokens_family_id ON refresh_tokens(family_id)`,
];

/** Creates every table and index if missing and records the version. Safe to call repeatedly. */
export function ensureSchema(sql: Sql): void {
  for (const statement of STATEMENTS) sql.run(statement);
  if (!sql.one(`SELECT version FROM schema_version`)) sql.run(`INSERT INTO schema_version (version) VALUES (?)`, SCHEMA_VERSION);
}

/** Expired links (and, separately, refresh tokens) removed per write at most. */
export const PURGE_BATCH_LIMIT = 100;

/** Removes at most `limit` expired links and refresh tokens (housekeeping during writes). */
export function purgeExpired(sql: Sql, now: number, limit = PURGE_BATCH_LIMIT): { links: number; tokens: number } {
  const links = sql.all(
    `DELETE FROM magic_links WHERE token_hash IN (SELECT token_hash FROM magic_links WHERE expires_at < ? LIMIT ?) RETURNING token_hash`,
    now,
    limit,
  ).length;
  const tokens = sql.all(
    `DELETE FROM refresh_tokens WHERE token_hash IN (SELECT token_hash FROM refresh_tokens WHERE expires_at < ? LIMIT ?) RETURNING token_hash`,
    now,
    limit,
  ).length;
  return { links, tokens };
}
