/**
 * The gateway's durable outbox (docs/mesh-clients.md "Failure modes", "Durable outbox"): the resume
 * counters of one client session and every gateway → client frame that waits for the client's
 * acknowledgement live in the gateway's SQLite storage, so an eviction, a runtime restart or a
 * deploy (which closes every socket) loses nothing. A frame's row is written before `ws.send` (the
 * output gate holds the send until the write commits) and deleted on the client's ack. Client calls
 * the gateway has accepted but not yet answered have a row too: after a restart each one is answered
 * with CallOutcomeUnknownError instead of never.
 *
 * Same surface as the in-memory SeqChannel the client uses; only the frames' sizes stay in memory.
 */
import { utf8Length } from '../client/frames.ts';
import { classifySeq, isFreshAck } from '../client/seq-channel.ts';

const SCHEMA = [
  'CREATE TABLE IF NOT EXISTS __lmz_gateway_session (k INTEGER PRIMARY KEY CHECK (k = 1), session_id TEXT NOT NULL, received INTEGER NOT NULL, peer_acked INTEGER NOT NULL)',
  'CREATE TABLE IF NOT EXISTS __lmz_gateway_outbox (seq INTEGER PRIMARY KEY, text TEXT NOT NULL)',
  'CREATE TABLE IF NOT EXISTS __lmz_gateway_forwarded (call_id TEXT PRIMARY KEY)',
];

/** One resume session's durable counters, unacknowledged frames and unanswered client calls. */
export class DurableChannel {
  readonly sessionId: string;
  #sql: SqlStorage;
  #nextSeq: number;
  #received: number;
  #peerAcked: number;
  #stored: { received: number; peerAcked: number };
  /** UTF-8 size of each unacknowledged frame, by seq (the texts themselves stay in SQLite). */
  #sizes = new Map<number, number>();
  #bytes = 0;
  /** Client calls accepted and not yet answered. */
  #owedCount = 0;
  /** Set when a newer session replaced this one: writes through a stale channel are dropped. */
  #closed = false;

  private constructor(sql: SqlStorage, sessionId: string, received: number, peerAcked: number) {
    this.#sql = sql;
    this.sessionId = sessionId;
    this.#received = received;
    this.#peerAcked = peerAcked;
    this.#stored = { received, peerAcked };
    this.#nextSeq = peerAcked + 1;
  }

  /** Creates the tables when missing (idempotent, cheap). */
  static install(sql: SqlStorage): void {
    for (const statement of SCHEMA) sql.exec(statement);
  }

  /** The stored session, or undefined when none is stored. */
  static load(sql: SqlStorage): DurableChannel | undefined {
    const row = sql.exec<{ session_id: string; received: number; peer_acked: number }>('SELECT session_id, received, peer_acked FROM __lmz_gateway_session WHERE k = 1').toArray()[0];
    if (!row) return undefined;
    const channel = new DurableChannel(sql, String(row.session_id), Number(row.received), Number(row.peer_acked));
    for (const r of sql.exec<{ seq: number; bytes: number }>('SELECT seq, length(CAST(text AS BLOB)) AS bytes FROM __lmz_gateway_outbox ORDER BY seq')) {
      channel.#sizes.set(Number(r.seq), Number(r.bytes));
      channel.#bytes += Number(r.bytes);
      channel.#nextSeq = Number(r.seq) + 1;
    }
    channel.#owedCount = Number(sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM __lmz_gateway_forwarded').one().n);
    return channel;
  }

  /** Drops whatever session is stored and starts `sessionId` (undefined: store none, a plain client). */
  static reset(sql: SqlStorage, sessionId: string | undefined): DurableChannel | undefined {
    sql.exec('DELETE FROM __lmz_gateway_outbox');
    sql.exec('DELETE FROM __lmz_gateway_forwarded');
    sql.exec('DELETE FROM __lmz_gateway_session');
    if (sessionId === undefined) return undefined;
    sql.exec('INSERT INTO __lmz_gateway_session (k, session_id, received, peer_acked) VALUES (1, ?, 0, 0)', sessionId);
    return new DurableChannel(sql, sessionId, 0, 0);
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
    return this.#owedCount;
  }

  /** UTF-8 bytes of the frames waiting for the client's acknowledgement. */
  get unackedBytes(): number {
    return this.#bytes;
  }

  /** Classifies an inbound seq; `'new'` also advances the receive counter (stored by {@link flush}). */
  accept(seq: number): 'new' | 'duplicate' | 'gap' {
    const kind = classifySeq(seq, this.#received);
    if (kind === 'new') this.#received = seq;
    return kind;
  }

  /** Un-accepts the most recent seq (a frame received but deliberately not executed). */
  unaccept(seq: number): void {
    if (seq === this.#received) this.#received = seq - 1;
  }

  /** Deletes the rows of frames the client acknowledged. Ignores acks backwards or beyond what was sent. */
  acknowledge(ack: number): void {
    if (!isFreshAck(ack, this.#peerAcked, this.#nextSeq)) return;
    if (!this.#closed) this.#sql.exec('DELETE FROM __lmz_gateway_outbox WHERE seq <= ?', ack);
    for (let s = this.#peerAcked + 1; s <= ack; s++) {
      this.#bytes -= this.#sizes.get(s) ?? 0;
      this.#sizes.delete(s);
    }
    this.#peerAcked = ack;
  }

  /**
   * Writes the counters when they changed. Called before any frame carrying `ack` goes out, so the
   * gateway never tells the client an ack it would forget in a restart.
   */
  flush(): void {
    if (this.#closed || (this.#stored.received === this.#received && this.#stored.peerAcked === this.#peerAcked)) return;
    this.#sql.exec('UPDATE __lmz_gateway_session SET received = ?, peer_acked = ? WHERE k = 1', this.#received, this.#peerAcked);
    this.#stored = { received: this.#received, peerAcked: this.#peerAcked };
  }

  /** Assigns the next seq to `body` (a JSON object's text), stores the frame and returns it. */
  record(body: string): { seq: number; text: string } {
    this.flush();
    const seq = this.#nextSeq++;
    const text = `${body.slice(0, -1)},"seq":${seq},"ack":${this.#received}}`;
    const bytes = frameBytes(text);
    if (!this.#closed) this.#sql.exec('INSERT INTO __lmz_gateway_outbox (seq, text) VALUES (?, ?)', seq, text);
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

  /** A client call was accepted: its answer is owed (the row outlives a restart). */
  owe(callId: string): void {
    if (this.#closed) return;
    if (this.#sql.exec('INSERT OR IGNORE INTO __lmz_gateway_forwarded (call_id) VALUES (?) RETURNING call_id', callId).toArray().length > 0) this.#owedCount++;
  }

  /** The answer to `callId` is being sent: true when it was still owed (exactly once), false otherwise. */
  settle(callId: string): boolean {
    if (this.#closed) return false;
    const owed = this.#sql.exec('DELETE FROM __lmz_gateway_forwarded WHERE call_id = ? RETURNING call_id', callId).toArray().length > 0;
    if (owed) this.#owedCount--;
    return owed;
  }

  /** Client calls still owed an answer (after a restart: calls whose outcome is unknown). */
  owed(): string[] {
    return this.#sql.exec<{ call_id: string }>('SELECT call_id FROM __lmz_gateway_forwarded ORDER BY rowid').toArray().map((r) => String(r.call_id));
  }
}

/** UTF-8 size of a frame (exact; a pure-ASCII frame is its length). */
export function frameBytes(text: string): number {
  return utf8Length(text);
}
