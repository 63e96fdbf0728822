/**
 * One direction pair of the gap-free resume layer (docs/mesh-clients.md "Gap-free resume").
 *
 * Every reliable frame a side sends gets the next sequence number and stays in `unacked` until the
 * peer acknowledges it (cumulative ack = highest contiguous seq received). Every reliable frame a
 * side receives is accepted only when it is exactly the next expected seq; a lower seq is a
 * duplicate from a retransmit and must not be processed again. The class is the client's (the
 * gateway keeps its counters in storage and shares only the two rules below); pure code, no
 * platform APIs.
 *
 * @example
 * const ch = new SeqChannel();
 * const text = ch.record((s) => JSON.stringify({ type: 'call', seq: s }));
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
  #nextSeq = 1;
  #received = 0;
  #peerAcked = 0;
  #unacked = new Map<number, string>();

  /** Highest contiguous seq received from the peer (what we acknowledge). */
  get received(): number {
    return this.#received;
  }

  /**
   * Assigns the next seq, builds the frame text with it and keeps it until acknowledged.
   * Returns the frame text to transmit.
   */
  record(build: (seq: number) => string): string {
    const seq = this.#nextSeq++;
    const text = build(seq);
    this.#unacked.set(seq, text);
    return text;
  }

  /** Classifies an inbound seq; `'new'` also advances the receive counter. */
  accept(seq: number): 'new' | 'duplicate' | 'gap' {
    const kind = classifySeq(seq, this.#received);
    if (kind === 'new') this.#received = seq;
    return kind;
  }

  /** Drops our frames the peer has acknowledged. Ignores acks that go backwards or beyond what we sent. */
  acknowledge(ack: number): void {
    if (!isFreshAck(ack, this.#peerAcked, this.#nextSeq)) return;
    for (let s = this.#peerAcked + 1; s <= ack; s++) this.#unacked.delete(s);
    this.#peerAcked = ack;
  }

  /** Our frames with seq > `ack`, in order, for retransmission after a reconnect. */
  pendingAfter(ack: number): string[] {
    this.acknowledge(ack);
    const out: string[] = [];
    for (const [seq, text] of this.#unacked) if (seq > ack) out.push(text);
    return out;
  }
}
