/**
 * The client's half of the resume extension (docs/mesh-clients.md "Gap-free resume", "Batching"):
 * reliable frames are numbered and kept until the gateway acknowledges them, received frames are
 * checked for duplicates and gaps, and acks ride on the next outgoing frame or leave after a short
 * delay. With batching, the reliable frames of one tick leave as one `batch` frame under one seq.
 * Pure code: it writes text through the function it is given.
 */
import { ACK_FRAME_TYPE, MAX_FRAME_BYTES, type ResumeFields } from './frames.ts';
import { batchFrameText, compactBatchFrame, FrameBatcher, singleFrame, type FrameText } from './frame-batcher.ts';
import { SeqChannel } from './seq-channel.ts';

/** Received frames after which an ack goes out at once rather than after {@link ACK_DELAY_MS}. */
const ACK_EVERY = 16;
/** Acks are coalesced for this long unless a frame to piggyback on goes out first. */
const ACK_DELAY_MS = 20;

/** A reliable frame waiting for the end of the tick. */
interface Outgoing {
  body: string;
  rest: string | undefined;
}

/** What the link needs from its connection. */
export interface ReliableLinkHost {
  /** Sends on the current socket if one is open (a frame that cannot go out stays in the channel). */
  write(text: string): void;
  /** True while connected (frames are recorded but not written otherwise). */
  connected(): boolean;
}

/** Sequence numbers, acks and batching for one client session. */
export class ReliableLink {
  #host: ReliableLinkHost;
  #channel = new SeqChannel();
  #ackTimer: ReturnType<typeof setTimeout> | undefined;
  #unackedReceived = 0;
  /** True when the gateway's `connection_status` agreed to `batch` frames on this connection. */
  batching = false;
  /** True when the gateway agreed to the compact wire (acks `{"t":"a","a":n}`, batches `{"t":"b",…}`). */
  get compact(): boolean {
    return this.#compact;
  }
  set compact(on: boolean) {
    this.#compact = on;
    this.#batcher.wrap = on ? (bodies, _sizes, rests) => compactBatchFrame(bodies, 'c', undefined, rests) : batchFrameText;
  }
  #compact = false;
  /** Reliable frames of this tick, sent together at its end (batching only). */
  #batcher = this.#newBatcher();

  constructor(host: ReliableLinkHost) {
    this.#host = host;
  }

  #newBatcher(): FrameBatcher<Outgoing> {
    const batcher = new FrameBatcher<Outgoing>((frame) => this.#record(frame), (o) => o.body, MAX_FRAME_BYTES);
    batcher.restOf = (o) => o.rest;
    return batcher;
  }

  /** Highest contiguous seq received from the gateway (offered on reconnect). */
  get received(): number {
    return this.#channel.received;
  }

  /** A new session: nothing of the old one is resumed. */
  reset(): void {
    this.#channel = new SeqChannel();
    this.#unackedReceived = 0;
  }

  /** Same session on a new socket: resend what the gateway has not acknowledged, in order. */
  resend(ack: number): void {
    for (const text of this.#channel.pendingAfter(ack)) this.#host.write(text);
  }

  /**
   * Records a reliable frame (`body` without resume fields) under the next seq and sends it when
   * connected. With batching the frames of one tick are collected and leave together.
   * `rest`: a compact call's body after its `{"t":"c",`.
   */
  send(body: string, rest?: string): void {
    if (this.batching) this.#batcher.add({ body, rest });
    else this.#record(singleFrame(body));
  }

  /** A received frame's resume fields: `'new'` to handle it, `'duplicate'` to drop it, `'gap'` to resync. */
  receive(frame: ResumeFields): 'new' | 'duplicate' | 'gap' {
    if (frame.ack !== undefined) this.#channel.acknowledge(frame.ack);
    if (frame.seq === undefined) return 'new';
    const verdict = this.#channel.accept(frame.seq);
    if (verdict === 'duplicate') this.#scheduleAck(true);
    if (verdict !== 'new') return verdict;
    this.#unackedReceived++;
    this.#scheduleAck(this.#unackedReceived >= ACK_EVERY);
    return 'new';
  }

  /** The socket went: no ack is due on it. */
  pause(): void {
    clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
  }

  /** The connection stopped: drop this tick's frames too. */
  stop(): void {
    this.pause();
    this.#batcher.clear();
  }

  #record(frame: FrameText): void {
    const channel = this.#channel;
    // A compact frame (`{"t":…`) names its resume fields `s`/`a`; version-1 frames `seq`/`ack`.
    const text = channel.record((s) => frame.build(`,${frame.compact ? `"s":${s},"a":` : `"seq":${s},"ack":`}${channel.received}}`));
    this.#unackedReceived = 0;
    this.pause();
    if (this.#host.connected()) this.#host.write(text);
  }

  #scheduleAck(now: boolean): void {
    if (now) {
      this.pause();
      this.#sendAck();
      return;
    }
    if (this.#ackTimer !== undefined) return;
    this.#ackTimer = setTimeout(() => {
      this.#ackTimer = undefined;
      this.#sendAck();
    }, ACK_DELAY_MS);
  }

  #sendAck(): void {
    this.#unackedReceived = 0;
    if (!this.#host.connected()) return;
    this.#host.write(this.compact ? `{"t":"a","a":${this.#channel.received}}` : JSON.stringify({ type: ACK_FRAME_TYPE, ack: this.#channel.received }));
  }
}
