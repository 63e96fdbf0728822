/**
 * Gateway → client frames of a session (docs/mesh-clients.md "Durable outbox", "Batching"): each
 * frame is recorded in the session's outbox under one seq before it is sent; for a batching client
 * the frames of one turn leave together as one `batch` frame (one seq, one outbox row). Also the
 * outbox limits checked before a frame is recorded.
 */
import type { DebugLogger } from '@lumenize/debug';
import { ACK_FRAME_TYPE } from '../client/frames.ts';
import { FrameTooLargeError } from '../client/frame-too-large-error.ts';
import { batchBody, batchFrameText, compactBatchBody, compactBatchFrame, FrameBatcher, type FrameText } from '../client/frame-batcher.ts';
import { OutboxFullError } from './outbox-errors.ts';
import { frameBytes, type DurableChannel } from './outbox.ts';
import type { PendingIncoming } from './incoming-calls.ts';
import { errorResponse, safeSend } from './replies.ts';
import { responseFrame } from './response-body.ts';
import type { GatewaySession } from './session.ts';

/** Limits the gateway class carries as statics (read per call: a subclass may change them). */
export interface OutboundLimits {
  readonly maxOutboundFrameBytes: number;
  readonly maxUnackedFrames: number;
  readonly maxUnackedBytes: number;
}

/** What the outbound side needs from its gateway. */
export interface OutboundHost {
  limits(): OutboundLimits;
  /** The session frames may still be sent for. */
  current(): GatewaySession | undefined;
  /** The open socket (without the heartbeat check: a frame recorded is owed either way). */
  socket(): WebSocket | undefined;
  /** True when this socket's client negotiated batch frames. */
  batches(ws: WebSocket): boolean;
  /** True when the open socket's client speaks the compact wire (its batches are `{"t":"b",…}`). */
  compact(): boolean;
  readonly log: DebugLogger;
}

/** A frame waiting for the end of the turn to leave with the others in one `batch` frame. */
interface Outgoing {
  body: string;
  /** The body's UTF-8 size (counted once, when the frame was checked against the limits). */
  bytes: number;
  /** A compact answer's body after its `{"t":"r",` (a batch joins it without reading the body again). */
  rest?: string;
  session: GatewaySession;
  pending?: PendingIncoming;
}

/** What became of a frame: sent or kept (`ok`), or refused/replaced because the outbox is full. */
export type Emitted = 'ok' | 'overfull';

/** Records and sends a gateway's frames to its client. */
export class OutboundFrames {
  #host: OutboundHost;
  #out: FrameBatcher<Outgoing>;

  constructor(host: OutboundHost) {
    this.#host = host;
    this.#out = new FrameBatcher<Outgoing>((frame, items) => this.#sendGroup(frame, items), (o) => o.body, host.limits().maxOutboundFrameBytes);
    this.#out.wrap = (bodies, sizes, rests) => (host.compact() ? compactBatchFrame(bodies, 'r', sizes, rests) : batchFrameText(bodies, sizes));
    this.#out.bytesOf = (o) => o.bytes;
    this.#out.restOf = (o) => o.rest;
  }

  /** True when `count` more frames (default one) of `bytes` would pass the outbox limits (frames + owed answers, bytes). */
  full(channel: DurableChannel, bytes: number, count = 1): boolean {
    const l = this.#host.limits();
    return channel.unackedCount + channel.owedCount + count > l.maxUnackedFrames || channel.unackedBytes + bytes > l.maxUnackedBytes;
  }

  /** True when the outbox already holds more than its limits (the client is not acknowledging). */
  overfull(channel: DurableChannel): boolean {
    const l = this.#host.limits();
    return channel.unackedBytes > l.maxUnackedBytes || channel.unackedCount > l.maxUnackedFrames;
  }

  outboxFull(what: string, channel: DurableChannel, instanceName: string): OutboxFullError {
    const l = this.#host.limits();
    return new OutboxFullError(what, instanceName, channel.unackedCount, channel.unackedBytes, l.maxUnackedFrames, l.maxUnackedBytes);
  }

  /**
   * A `call_response` for a resume or plain session; `resultText` (JSON) becomes its `result`
   * without re-serializing. An answer over the frame limit becomes a FrameTooLargeError answer.
   */
  response(session: GatewaySession, ws: WebSocket | undefined, response: Record<string, unknown>, instanceName: string, resultText?: string, wire = 1): Emitted {
    const log = this.#host.log;
    const limit = this.#host.limits().maxOutboundFrameBytes;
    const callId = String(response.callId);
    const framed = responseFrame(response, resultText, wire);
    let body = framed.body;
    let size = framed.bytes ?? frameBytes(body);
    let rest = framed.rest;
    if (size > limit) {
      // Stored or sent, it would fail on every replay: the client gets the reason instead.
      log.warn('answer too large, answered with FrameTooLargeError', { callId, size });
      body = JSON.stringify(errorResponse(callId, new FrameTooLargeError('the answer to this call', size, limit)));
      size = frameBytes(body);
      rest = undefined;
    }
    const channel = session.channel;
    if (!channel) {
      if (!ws || !safeSend(ws, body)) log.warn('response dropped: no client socket open', { callId });
      return 'ok';
    }
    if (!channel.settle(callId)) {
      log.warn('response dropped: this call was already answered', { callId });
      return 'ok';
    }
    let result: Emitted = 'ok';
    if (this.full(channel, size)) {
      // Owed exactly once: the client gets a small error instead of an answer it cannot take now.
      result = 'overfull';
      body = JSON.stringify(errorResponse(callId, this.outboxFull('The answer to this call', channel, instanceName)));
      size = frameBytes(body);
      rest = undefined;
    }
    if (this.#batching(ws)) {
      this.#out.add({ body, session, bytes: size, rest });
      if (result === 'overfull') this.#out.flush();
    } else {
      const { text } = channel.record(body, size);
      session.lastAckSent = channel.received;
      if (ws) safeSend(ws, text);
    }
    return result;
  }

  /**
   * An incoming call's frame. Returns the error to settle it with when it cannot go out (too large,
   * or the outbox is full: then also `'overfull'`), else undefined.
   */
  incoming(p: PendingIncoming, ws: WebSocket | undefined): { error: Error; overfull: boolean } | undefined {
    const session = p.session;
    const text = JSON.stringify(p.frame);
    const size = frameBytes(text);
    const limit = this.#host.limits().maxOutboundFrameBytes;
    if (size > limit) {
      // Never stored or sent: it would fail on every replay. The caller learns why.
      this.#host.log.warn('incoming call too large, refused', { callId: p.frame.callId, size });
      return { error: new FrameTooLargeError('this call to the client', size, limit), overfull: false };
    }
    const channel = session.channel;
    if (!channel) {
      if (ws && safeSend(ws, text)) p.transmitted = true;
      else {
        p.waitingText = text;
        session.waiting.push(text);
      }
      return undefined;
    }
    if (this.full(channel, size)) return { error: this.outboxFull('This call', channel, p.instanceName), overfull: true };
    if (this.#batching(ws)) {
      this.#out.add({ body: text, session, pending: p, bytes: size });
      return undefined;
    }
    const { seq, text: framed } = channel.record(text, size);
    p.seq = seq;
    session.lastAckSent = channel.received;
    if (ws && safeSend(ws, framed)) p.transmitted = true;
    return undefined;
  }

  /** Takes an untransmitted incoming call back out of its session's outbound frames. */
  withdraw(p: PendingIncoming): void {
    const channel = p.session.channel;
    if (p.seq !== undefined && channel && p.group) {
      // Inside a batch: the slot keeps the other frames.
      const i = p.group.bodies.indexOf(p.body!);
      if (i >= 0) p.group.bodies.splice(i, 1);
      const bodies = p.group.bodies;
      const body = bodies.length > 0 ? (p.group.compact ? compactBatchBody(bodies, 'r') : batchBody(bodies)) : `{"type":"${ACK_FRAME_TYPE}"}`;
      channel.replace(p.seq, `${body.slice(0, -1)},"seq":${p.seq},"ack":${channel.received}}`);
    } else if (p.seq !== undefined && channel) {
      channel.replace(p.seq, JSON.stringify({ type: ACK_FRAME_TYPE, seq: p.seq, ack: channel.received }));
    } else if (p.waitingText !== undefined) {
      const i = p.session.waiting.indexOf(p.waitingText);
      if (i >= 0) p.session.waiting.splice(i, 1);
    }
  }

  /** A standalone ack (nothing else to send it on). */
  sendAck(ws: WebSocket, session: GatewaySession): void {
    if (!session.channel) return;
    session.channel.flush();
    safeSend(ws, JSON.stringify({ type: ACK_FRAME_TYPE, ack: session.channel.received }));
    session.lastAckSent = session.channel.received;
  }

  /**
   * True when a frame for a resume session goes into this turn's batch: the client reads batches,
   * or frames of this turn already wait there (order per direction is kept).
   */
  #batching(ws: WebSocket | undefined): boolean {
    return this.#out.size > 0 || (ws !== undefined && this.#host.batches(ws));
  }

  /** Records one frame (a batch, or a single frame) of this turn under one seq and sends it. */
  #sendGroup(frame: FrameText, items: Outgoing[]): void {
    const session = items[0]!.session;
    const channel = session.channel;
    if (session !== this.#host.current() || !channel) {
      this.#host.log.warn('frames dropped: the client session that produced them has ended', { frames: items.length });
      return;
    }
    const { seq, text } = channel.record(frame);
    session.lastAckSent = channel.received;
    const ws = this.#host.socket();
    const sent = ws !== undefined && safeSend(ws, text);
    const group = items.length > 1 ? { bodies: items.map((o) => o.body), compact: frame.compact } : undefined;
    for (const o of items) {
      if (!o.pending) continue;
      o.pending.seq = seq;
      o.pending.body = o.body;
      o.pending.group = group;
      if (sent) o.pending.transmitted = true;
    }
  }
}

