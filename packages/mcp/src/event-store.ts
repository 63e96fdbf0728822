/**
 * Every SSE event of a session, in the session DO's SQLite storage, so a client that reconnects
 * with `Last-Event-ID` gets what it missed (resumability). One row per event; bounded by
 * {@link MAX_STORED_EVENTS} rows and {@link EVENT_TTL_MS} age. Event ids are the row's sequence
 * number, unique within the session (one DO per session).
 */

/** Most events kept per session; older ones are deleted as new ones are written. */
export const MAX_STORED_EVENTS = 500;
/** Events older than this are deleted and can no longer be replayed (10 minutes). */
export const EVENT_TTL_MS = 10 * 60 * 1000;
/** The stream id of the standalone `GET` stream (POST streams use a random id). */
export const STANDALONE = 'get';

export interface StoredEvent {
  seq: number;
  data: string;
}

const TABLE = 'lmz_mcp_events';

export class EventStore {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS ${TABLE} (seq INTEGER PRIMARY KEY AUTOINCREMENT, stream TEXT NOT NULL, data TEXT NOT NULL, at INTEGER NOT NULL)`);
    sql.exec(`CREATE INDEX IF NOT EXISTS ${TABLE}_at ON ${TABLE} (at)`);
  }

  /** Stores one event of `stream` and returns its id; prunes by row cap and age. */
  append(stream: string, data: string, now: number): number {
    const seq = this.#sql.exec<{ seq: number }>(`INSERT INTO ${TABLE} (stream, data, at) VALUES (?, ?, ?) RETURNING seq`, stream, data, now).one().seq;
    this.#sql.exec(`DELETE FROM ${TABLE} WHERE seq <= ? OR at < ?`, seq - MAX_STORED_EVENTS, now - EVENT_TTL_MS);
    return seq;
  }

  /** The stream an event belongs to, or `undefined` when it is unknown or pruned (too old). */
  streamOf(seq: number, now: number): string | undefined {
    const row = this.#sql.exec<{ stream: string }>(`SELECT stream FROM ${TABLE} WHERE seq = ? AND at >= ?`, seq, now - EVENT_TTL_MS).toArray()[0];
    return row?.stream;
  }

  /** The events of `stream` after `seq`, oldest first. */
  after(stream: string, seq: number): StoredEvent[] {
    return this.#sql.exec<{ seq: number; data: string }>(`SELECT seq, data FROM ${TABLE} WHERE stream = ? AND seq > ? ORDER BY seq`, stream, seq).toArray();
  }

  /** Rows stored (tests, metrics). */
  count(): number {
    return this.#sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${TABLE}`).one().n;
  }

  /** Forgets every event (the session ended). */
  clear(): void {
    this.#sql.exec(`DELETE FROM ${TABLE}`);
  }
}
