/** Internal: one-time tokens (magic links), stored only as SHA-256 hashes. */
import type { Sql } from './sql.ts';

export type LinkPurpose = 'login' | 'link';

export interface MagicLinkRow {
  token_hash: string;
  state: string;
  email: string;
  purpose: LinkPurpose;
  user_id: string | null;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  [column: string]: string | number | null;
}

export function insertMagicLink(
  sql: Sql,
  link: { tokenHash: string; state: string; email: string; purpose: LinkPurpose; userId: string | null; now: number; expiresAt: number },
): void {
  sql.run(
    `INSERT INTO magic_links (token_hash, state, email, purpose, user_id, created_at, expires_at, used_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)`,
    link.tokenHash,
    link.state,
    link.email,
    link.purpose,
    link.userId,
    link.now,
    link.expiresAt,
  );
}

export function findMagicLink(sql: Sql, tokenHash: string): MagicLinkRow | undefined {
  return sql.one<MagicLinkRow>(`SELECT * FROM magic_links WHERE token_hash = ?`, tokenHash);
}

export function markUsed(sql: Sql, tokenHash: string, now: number): void {
  sql.run(`UPDATE magic_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL`, now, tokenHash);
}
