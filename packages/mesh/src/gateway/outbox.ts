/**
 * The gateway's durable outbox (docs/mesh-clients.md "Failure modes", "Durable outbox"): the resume
 * counters of one client session and every gateway → client frame that waits for the client's
 * acknowledgement live in the gateway's SQLite storage, so an eviction, a runtime restart or a
 * deploy (which closes every socket) loses nothing. A frame's row is written before `ws.send` (the
 * output gate holds the send until the write commits) and deleted on the client's ack. Client calls
 * the gateway has accepted but not yet answered have a row too: after a restart each one is answered
 * with CallOutcomeUnknownError instead of never.
 *
 * The same seq rules as the client's in-memory SeqChannel (`classifySeq`, `isFreshAck`, shared);
 * only the frames' sizes stay in memory.
 *
 * Rows per frame (issue 18): the counters and the owed call ids share one session row, rewritten at
 * most once per turn, so a frame of N calls costs one row write in, one outbox row out, and one
 * delete on the ack. An answer frame's row names the calls it settles (`settles`): the session row
 * is not rewritten for them until the ack deletes that row (in the inbound turn, which writes the
 * session row anyway), and a fresh instance subtracts them from the stored owed ids. The peer's
 * ack is not stored: it is the outbox's lowest seq − 1, or the stored `sent` (last seq recorded)
 * when the outbox is empty; `sent` is written whenever the session row is, and at the latest in the
 * turn whose ack empties the outbox. The table name is the
 * storage version (`_v2`).
 */
import { utf8Length } from '../client/frames.ts';
import type { FrameText } from '../client/frame-batcher.ts';
import { classifySeq, isFreshAck } from '../client/seq-channel.ts';
import type { Target } from '../wire/names.ts';

const SESSION_TABLE = '__lmz_gateway_session_v2';
const SCHEMA = [
  // Version 1 kept one row per owed call and a stored peer ack: superseded, dropped when found.
  'DROP TABLE IF EXISTS __lmz_gateway_forwarded',
  'DROP TABLE IF EXISTS __lmz_gateway_session',
  `CREATE TABLE IF NOT EXISTS ${SESSION_TABLE} (k INTEGER PRIMARY KEY CHECK (k = 1), session_id TEXT NOT NULL, received INTEGER NOT NULL, sent INTEGER NOT NULL, owed TEXT NOT NULL)`,
  'CREATE TABLE IF NOT EXISTS __lmz_gateway_outbox (seq INTEGER PRIMARY KEY, text TEXT NOT NULL, settles TEXT)',
  // The compact wire's interned call targets of the session (wire/names.ts).
  'CREATE TABLE IF NOT EXISTS __lmz_gateway_names (id INTEGER PRIMARY KEY, binding TEXT NOT NULL, instance TEXT)',
];

/** Reads the stored owed call ids; a row that is not a JSON array of strings owes nothing it can name. */
function parseOwed(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

/** One resume session's durable counters, unacknowledged frames and unanswered client calls. */
export class DurableChannel {
  readonly sessionId: string;
  #sql: SqlStorage;
  #nextSeq: number;
  #received: number;
  #peerAcked: number;
  /** Client calls accepted and not yet answered, in arrival order. */
  #owed: Set<string>;
  /** Calls settled since the last {@link record}: the next frame recorded carries their answers. */
  #unrecorded: string[] = [];
  /** Seqs of unacknowledged rows that settle calls (their ack rewrites the owed ids). */
  #settling = new Set<number>();
  /** True when received or owed changed since the session row was last written. */
  #dirty = false;
  /** `sent` as stored: needed only once the outbox empties (then it alone says where seqs continue). */
  #storedSent: number;
  /** UTF-8 size of each unacknowledged frame, by seq (the texts themselves stay in SQLite). */
  #sizes = new Map<number, number>();
  #bytes = 0;
  /** Set when a newer session replaced this one: writes through a stale channel are dropped. */
  #closed = false;

  private constructor(sql: SqlStorage, sessionId: string, received: number, sent: number, owed: string[]) {
    this.#sql = sql;
    this.sessionId = sessionId;
    this.#received = received;
    this.#peerAcked = sent;
    this.#nextSeq = sent + 1;
    this.#storedSent = sent;
    this.#owed = new Set(owed);
  }

  /** Creates the tables when missing (idempotent, cheap). */
  static install(sql: SqlStorage): void {
    for (const statement of SCHEMA) sql.exec(statement);
    try {
      sql.exec('SELECT settles FROM __lmz_gateway_outbox LIMIT 0');
    } catch {
      // An outbox from before `settles` (its rows settle nothing the session row does not already say).
      sql.exec('ALTER TABLE __lmz_gateway_outbox ADD COLUMN settles TEXT');
    }
  }

  /** The stored session, or undefined when none is stored. */
  static load(sql: SqlStorage): DurableChannel | undefined {
    const row = sql.exec<{ session_id: string; received: number; sent: number; owed: string }>(`SELECT session_id, received, sent, owed FROM ${SESSION_TABLE} WHERE k = 1`).toArray()[0];
    if (!row) return undefined;
    const channel = new DurableChannel(sql, String(row.session_id), Number(row.received), Number(row.sent), parseOwed(String(row.owed)));
    let first = true;
    for (const r of sql.exec<{ seq: number; bytes: number; settles: string | null }>('SELECT seq, length(CAST(text AS BLOB)) AS bytes, settles FROM __lmz_gateway_outbox ORDER BY seq')) {
      const seq = Number(r.seq);
      if (r.settles !== null) {
        // Answered (the answer waits in this row for the client's ack): no longer owed.
        for (const callId of parseOwed(String(r.settles))) channel.#owed.delete(callId);
        channel.#settling.add(seq);
      }
      // Rows are contiguous from the peer's ack + 1: the lowest one says what the peer acknowledged.
      if (first) channel.#peerAcked = seq - 1;
      first = false;
      channel.#sizes.set(seq, Number(r.bytes));
      channel.#bytes += Number(r.bytes);
      channel.#nextSeq = Math.max(channel.#nextSeq, seq + 1);
    }
    return channel;
  }

  /** Drops whatever session is stored and starts `sessionId` (undefined: store none, a plain client). */
  static reset(sql: SqlStorage, sessionId: string | undefined): DurableChannel | undefined {
    sql.exec('DELETE FROM __lmz_gateway_outbox');
    sql.exec('DELETE FROM __lmz_gateway_names');
    sql.exec(`DELETE FROM ${SESSION_TABLE}`);
    if (sessionId === undefined) return undefined;
    sql.exec(`INSERT INTO ${SESSION_TABLE} (k, session_id, received, sent, owed) VALUES (1, ?, 0, 0, '[]')`, sessionId);
    return new DurableChannel(sql, sessionId, 0, 0, []);
  }

  /** Marks this channel replaced (its rows were reset by another session). */
  close(): void {
    this.#closed = true;
  }

  /** Highest contiguous client seq processed (what the gateway acknowledges). */
  get received(): number {
    return this.#received;
  }

  get unackedCount(): number {
    return this.#sizes.size;
  }

  /** Client calls accepted and not yet answered. */
  get owedCount(): number {
    return this.#owed.size;
  }

  /** UTF-8 bytes of the frames waiting for the client's acknowledgement. */
  get unackedBytes(): number {
    return this.#bytes;
  }

  /** Classifies an inbound seq; `'new'` also advances the receive counter (stored by {@link flush}). */
  accept(seq: number): 'new' | 'duplicate' | 'gap' {
    const kind = classifySeq(seq, this.#received);
    if (kind === 'new') {
      this.#received = seq;
      this.#dirty = true;
    }
    return kind;
  }

  /** Un-accepts the most recent seq (a frame received but deliberately not executed). */
  unaccept(seq: number): void {
    if (seq === this.#received) {
      this.#received = seq - 1;
      this.#dirty = true;
    }
  }

  /**
   * Deletes the rows of frames the client acknowledged. Ignores acks backwards or beyond what was
   * sent. Callers {@link flush} in the same event (the emptied outbox's `sent` may need storing).
   */
  acknowledge(ack: number): void {
    if (!isFreshAck(ack, this.#peerAcked, this.#nextSeq)) return;
    if (!this.#closed) this.#sql.exec('DELETE FROM __lmz_gateway_outbox WHERE seq <= ?', ack);
    for (let s = this.#peerAcked + 1; s <= ack; s++) {
      this.#bytes -= this.#sizes.get(s) ?? 0;
      this.#sizes.delete(s);
      // The row that said these calls were answered is gone: the session row must say it now.
      if (this.#settling.delete(s)) this.#dirty = true;
    }
    this.#peerAcked = ack;
    // An empty outbox no longer tells where seqs continue: the caller's flush in this event stores it.
    if (this.#sizes.size === 0 && this.#storedSent < this.#nextSeq - 1) this.#dirty = true;
  }

  /**
   * Writes the session row (counters and owed calls) when it changed: once per turn, however many
   * calls the turn accepted or answered. Called before any frame carrying `ack` goes out, so the
   * gateway never tells the client an ack it would forget in a restart.
   */
  flush(): void {
    if (this.#closed || !this.#dirty) return;
    this.#sql.exec(`UPDATE ${SESSION_TABLE} SET received = ?, sent = ?, owed = ? WHERE k = 1`, this.#received, this.#nextSeq - 1, JSON.stringify([...this.#owed]));
    this.#storedSent = this.#nextSeq - 1;
    this.#dirty = false;
  }

  /**
   * Assigns the next seq to `body` (a JSON object's text, or a frame built with its resume fields in
   * one step), stores the frame with the calls it settles, then the session row when it changed,
   * and returns it. `bodyBytes`: the body's UTF-8 size when the caller already counted it.
   */
  record(body: string | FrameText, bodyBytes?: number): { seq: number; text: string } {
    const seq = this.#nextSeq++;
    const suffix = `,"seq":${seq},"ack":${this.#received}}`;
    const text = typeof body === 'string' ? `${body.slice(0, -1)}${suffix}` : body.build(suffix);
    const known = bodyBytes ?? (typeof body === 'string' ? undefined : body.bytes);
    const bytes = known === undefined ? frameBytes(text) : known - 1 + suffix.length;
    const settles = this.#unrecorded.length > 0 ? JSON.stringify(this.#unrecorded) : null;
    this.#unrecorded = [];
    if (!this.#closed) {
      this.#sql.exec('INSERT INTO __lmz_gateway_outbox (seq, text, settles) VALUES (?, ?, ?)', seq, text, settles);
      if (settles !== null) this.#settling.add(seq);
    }
    this.flush();
    this.#sizes.set(seq, bytes);
    this.#bytes += bytes;
    return { seq, text };
  }

  /** The stored frames with seq > `ack`, in order, for the replay after a reconnect. */
  pendingAfter(ack: number): string[] {
    this.acknowledge(ack);
    return this.#sql.exec<{ text: string }>('SELECT text FROM __lmz_gateway_outbox WHERE seq > ? ORDER BY seq', ack).toArray().map((r) => String(r.text));
  }

  /** Replaces an unacknowledged frame's text, keeping its seq slot (a withdrawn call becomes a no-op filler). */
  replace(seq: number, text: string): void {
    const old = this.#sizes.get(seq);
    if (old === undefined || this.#closed) return;
    this.#sql.exec('UPDATE __lmz_gateway_outbox SET text = ? WHERE seq = ?', text, seq);
    const bytes = frameBytes(text);
    this.#sizes.set(seq, bytes);
    this.#bytes += bytes - old;
  }

  /** A client call was accepted: its answer is owed (stored with the turn's session row, outlives a restart). */
  owe(callId: string): void {
    if (this.#closed || this.#owed.has(callId)) return;
    this.#owed.add(callId);
    this.#dirty = true;
  }

  /**
   * The answer to `callId` is being sent: true when it was still owed (exactly once), false
   * otherwise. Stored in the row of the answer's frame ({@link record}, in the same turn), not in
   * the session row.
   */
  settle(callId: string): boolean {
    if (this.#closed || !this.#owed.delete(callId)) return false;
    this.#unrecorded.push(callId);
    return true;
  }

  /** Stores an interned call target of this session (written in the turn that read its definition). */
  storeName(id: number, target: Target): void {
    if (!this.#closed) this.#sql.exec('INSERT OR REPLACE INTO __lmz_gateway_names (id, binding, instance) VALUES (?, ?, ?)', id, target.binding, target.instance ?? null);
  }

  /** The interned call targets stored for this session. */
  loadNames(): Array<[number, Target]> {
    return this.#sql.exec<{ id: number; binding: string; instance: string | null }>('SELECT id, binding, instance FROM __lmz_gateway_names').toArray().map((r) => {
      const t: Target = { binding: String(r.binding) };
      if (r.instance !== null) t.instance = String(r.instance);
      return [Number(r.id), t];
    });
  }

  /** Client calls still owed an answer (after a restart: calls whose outcome is unknown). */
  owed(): string[] {
    return [...this.#owed];
  }
}

/** UTF-8 size of a frame (exact; a pure-ASCII frame, the usual case, is its length, found natively). */
export function frameBytes(text: string): number {
  return utf8Length(text);
}
