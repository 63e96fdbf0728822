/**
 * Resource subscriptions of a session (`resources/subscribe` / `resources/unsubscribe`), in the
 * session DO's SQLite storage, keyed by URI and remembering the id of the request that opened each
 * one (a repeated subscribe keeps the original). `svc.mcp.resourceChanged(uri)` looks them up.
 */
import type { RequestId } from '@modelcontextprotocol/sdk/types.js';

/** Most subscriptions one session may hold. */
export const MAX_SUBSCRIPTIONS = 100;
/** Longest URI accepted (characters). */
export const MAX_URI_LENGTH = 2048;

/** One subscription: the resource and the id of the `resources/subscribe` request that opened it. */
export interface McpSubscription {
  uri: string;
  requestId: RequestId;
}

const TABLE = 'lmz_mcp_subscriptions';

export class Subscriptions {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS ${TABLE} (uri TEXT PRIMARY KEY, request_id TEXT NOT NULL)`);
  }

  /** Adds `uri` (kept as is when already there); `false` when the session is at its limit. */
  add(uri: string, requestId: RequestId): boolean {
    if (this.has(uri)) return true;
    if (this.list().length >= MAX_SUBSCRIPTIONS) return false;
    this.#sql.exec(`INSERT INTO ${TABLE} (uri, request_id) VALUES (?, ?)`, uri, JSON.stringify(requestId));
    return true;
  }

  remove(uri: string): void {
    this.#sql.exec(`DELETE FROM ${TABLE} WHERE uri = ?`, uri);
  }

  has(uri: string): boolean {
    return this.#sql.exec(`SELECT 1 FROM ${TABLE} WHERE uri = ?`, uri).toArray().length > 0;
  }

  list(): McpSubscription[] {
    return this.#sql
      .exec<{ uri: string; request_id: string }>(`SELECT uri, request_id FROM ${TABLE} ORDER BY uri`)
      .toArray()
      .map((row) => ({ uri: row.uri, requestId: JSON.parse(row.request_id) as RequestId }));
  }

  clear(): void {
    this.#sql.exec(`DELETE FROM ${TABLE}`);
  }
}
