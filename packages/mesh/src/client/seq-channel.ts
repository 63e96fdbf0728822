/**
 * One direction pair of the gap-free resume layer (docs/mesh-clients.md "Gap-free resume").
 *
 * Every reliable frame a side sends gets the next sequence number and stays in `unacked` until the
 * peer acknowledges it (cumulative ack = highest contiguous seq received). Every reliable frame a
 * side receives is accepted only when it is exactly the next expected seq; a lower seq is a
 * duplicate from a retransmit and must not be processed again. Used by both LumenizeClient and
 * LumenizeClientGateway; pure code, no platform APIs.
 *
 * @example
 * const ch = new SeqChannel();
 * const seq = ch.record((s) => JSON.stringify({ type: 'call', seq: s }));
 */
/**
 * How an inbound seq relates to the highest contiguous seq received: the next one (`'new'`), one
 * already processed (`'duplicate'`, a retransmit), or one past a missing frame (`'gap'`).
 */
export function classifySeq(seq: number, received: number): 'new' | 'duplicate' | 'gap' {
  if (seq <= received) return 'duplicate';
  return seq === received + 1 ? 'new' : 'gap';
}

/** Whether a cumulative `ack` acknowledges something new: above the last ack and below the next seq to send. */
export function isFreshAck(ack: number, peerAcked: number, nextSeq: number): boolean {
  return Number.isSafeInteger(ack) && ack > peerAcked && ack < nextSeq;
}

export class SeqChannel {
  #nextSeq: number;
  #received: number;
  #peerAcked: number;
  #unacked = new Map<number, string>();
  #unackedBytes = 0;

  constructor(state: SeqChannelState = { nextSeq: 1, received: 0, peerAcked: 0 }) {
    this.#nextSeq = state.nextSeq;
    this.#received = state.received;
    this.#peerAcked = state.peerAcked;
  }

  /** Highest contiguous seq received from the peer (what we acknowledge). */
  get received(): number {
    return this.#received;
  }

  /** Highest seq of ours that the peer acknowledged. */
  get peerAcked(): number {
    return this.#peerAcked;
  }

  /** Number of our frames still waiting for the peer's acknowledgement. */
  get unackedCount(): number {
    return this.#unacked.size;
  }

  /** Approximate size of the frames waiting for acknowledgement (UTF-16 code units). */
  get unackedBytes(): number {
    return this.#unackedBytes;
  }

  /** Counters only (the unacked frames themselves are not part of a snapshot). */
  snapshot(): SeqChannelState {
    return { nextSeq: this.#nextSeq, received: this.#received, peerAcked: this.#peerAcked };
  }

  /**
   * Assigns the next seq, builds the frame text with it and keeps it until acknowledged.
   * Returns the frame text to transmit.
   */
  record(build: (seq: number) => string): { seq: number; text: string } {
    const seq = this.#nextSeq++;
    const text = build(seq);
    this.#unacked.set(seq, text);
    this.#unackedBytes += text.length;
    return { seq, text };
  }

  /** Classifies an inbound seq; `'new'` also advances the receive counter. */
  accept(seq: number): 'new' | 'duplicate' | 'gap' {
    const kind = classifySeq(seq, this.#received);
    if (kind === 'new') this.#received = seq;
    return kind;
  }

  /**
   * Un-accepts the most recent seq (used when a frame was received but deliberately not executed,
   * for example a call refused because the token expired, so that its retransmit runs later).
   */
  unaccept(seq: number): void {
    if (seq === this.#received) this.#received = seq - 1;
  }

  /** Drops our frames the peer has acknowledged. Ignores acks that go backwards or beyond what we sent. */
  acknowledge(ack: number): void {
    if (!isFreshAck(ack, this.#peerAcked, this.#nextSeq)) return;
    for (let s = this.#peerAcked + 1; s <= ack; s++) {
      const text = this.#unacked.get(s);
      if (text !== undefined) this.#unackedBytes -= text.length;
      this.#unacked.delete(s);
    }
    this.#peerAcked = ack;
  }

  /** Our frames with seq > `ack`, in order, for retransmission after a reconnect. */
  pendingAfter(ack: number): string[] {
    this.acknowledge(ack);
    const out: string[] = [];
    for (const [seq, text] of this.#unacked) if (seq > ack) out.push(text);
    return out;
  }

  /**
   * Replaces the text of an unacked frame, keeping its seq slot (removing it would leave a gap the
   * peer cannot get past). Used to turn an incoming call that timed out before it was transmitted
   * into a no-op filler. Returns false when the frame was already acknowledged.
   */
  replace(seq: number, text: string): boolean {
    const old = this.#unacked.get(seq);
    if (old === undefined) return false;
    this.#unackedBytes += text.length - old.length;
    this.#unacked.set(seq, text);
    return true;
  }
}

/** The counters of a {@link SeqChannel}, small enough to live in a WebSocket attachment. */
export interface SeqChannelState {
  nextSeq: number;
  received: number;
  peerAcked: number;
}
