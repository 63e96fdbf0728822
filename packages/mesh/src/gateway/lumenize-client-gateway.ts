/**
 * LumenizeClientGateway: the Durable Object that bridges one client (`{userId}.{tabId}`) into the
 * mesh (mesh spec §3.5, §4.11–§4.13). It is the trust boundary: it accepts only middleware-verified
 * identity, rebuilds every call context from that identity, keeps in-flight work across reconnects
 * within the grace period, and (resume extension) numbers and acknowledges every frame, keeping
 * unacknowledged ones in its SQLite outbox (gateway/outbox.ts), so nothing is lost or run twice
 * across a dropped socket, an eviction or a restart.
 * Guide: docs/mesh-clients.md.
 */
import { debug } from '@lumenize/debug';
import { ACK_FRAME_TYPE, utf8Length, type ClientInnerFrame } from '../client/frames.ts';
import { encodeError, validateCallEnvelope } from '../envelope.ts';
import type { CallEnvelope, CallResult, TextCallResult } from '../protocol.ts';
import type { GatewayAttachment } from './attachment.ts';
import { ClientCalls } from './client-calls.ts';
import { incomingCallFrame, IncomingCalls, type PendingIncoming } from './incoming-calls.ts';
import { batchElementTexts, memberText } from './member-text.ts';
import { readClientFrame } from './inbound-frame.ts';
import { MARKER_ALARM_OFFSET_MS, presence, subscriptionsLostFor } from './grace.ts';
import { GatewaySession } from './session.ts';
import { GatewaySockets } from './sockets.ts';
import { installHeartbeat, isHeartbeatPing } from './heartbeat.ts';
import { DurableChannel } from './outbox.ts';
import { OutboundFrames } from './outbound-frames.ts';
import { CallOutcomeUnknownError } from './outbox-errors.ts';
import { disconnected, errorResponse, safeSend } from './replies.ts';
import { validateUpgrade } from './upgrade.ts';
import { GatewayLimits } from './limits.ts';
import { gatewayLogs } from './logs.ts';
import { answerBatch, claimParked, type ParkedResult } from '../node/batch-answers.ts';
import { resolveTarget } from './targets.ts';
import { WIRE_VERSION } from '../wire/frames.ts';
import { describeWireFrame } from '../wire/describe.ts';

/** Members of a call frame that hold its chain: compact plain operations, a compact chain, version 1. */
const CHAIN_MEMBERS = ['o', 'c', 'chain'] as const;

/** Client frames after which the gateway sends a standalone ack when it had nothing else to send. */
const ACK_EVERY = 16;

/**
 * Gateway DO, one per client `{userId}.{tabId}`. Bind it as `LUMENIZE_CLIENT_GATEWAY`
 * (or any name; clients pass `gatewayBindingName`) and route upgrades to it with
 * `createLumenizeRouter`.
 * @example export { LumenizeClientGateway } from '@lumenize/mesh';
 */
export class LumenizeClientGateway<Env = Cloudflare.Env> extends GatewayLimits<Env> {
  #logs = gatewayLogs(debug(this));

  #session: GatewaySession | undefined;
  #sockets = new GatewaySockets(this.ctx);
  /** True once this instance looked for a stored resume session (it does so once per instance). */
  #loaded = false;
  /** Mesh → client calls waiting for the client's answer. */
  #pending = new IncomingCalls(this.#logs.webSocketMessage, this.ctx.storage.kv);
  /** Gateway → client frames: recorded in the outbox, batched per turn for batching clients. */
  #outbound = new OutboundFrames({
    limits: () => this.#config,
    current: () => this.#session,
    socket: () => this.#sockets.open()[0],
    batches: (ws) => this.#sockets.attachment(ws)?.batch === true,
    compact: () => {
      const ws = this.#sockets.open()[0];
      return ws !== undefined && this.#sockets.attachment(ws)?.wire === WIRE_VERSION;
    },
    log: this.#logs.callResponse,
  });
  /** Client → mesh calls: rate-limited per call, forwarded per turn and target as one Workers RPC. */
  #calls = new ClientCalls({
    env: () => this.env as Record<string, unknown>,
    rateLimiterBinding: () => this.#config.rateLimiterBinding,
    logs: this.#logs,
    respond: (session, response, resultText) => this.#emitResponse(session, response, resultText),
  });

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Client pings are answered by the runtime, without waking this object (gateway/heartbeat.ts).
    installHeartbeat(ctx);
    DurableChannel.install(ctx.storage.sql);
  }

  get #config(): typeof LumenizeClientGateway {
    return this.constructor as typeof LumenizeClientGateway;
  }

  /** Accepts a verified WebSocket upgrade (426/401/403/400 otherwise). */
  override async fetch(request: Request): Promise<Response> {
    const log = this.#logs.fetch;
    const verified = validateUpgrade(request);
    if ('status' in verified) {
      log.warn('upgrade refused', { status: verified.status, reason: verified.message });
      return new Response(verified.message, { status: verified.status });
    }
    const alarm = await this.ctx.storage.getAlarm();
    const now = Date.now();
    // A new connection supersedes every open socket: scan them all, not only the cached one.
    const open = this.#sockets.open(true);
    const subscriptionsLost = open.length === 0 && subscriptionsLostFor(alarm, now, this.#config.gracePeriodMs);

    // Continue the current session, or start a new one (moving calls the old one never sent).
    let session = this.#currentSession(open);
    const offered = verified.resume?.sessionId;
    const continued = !!session && !subscriptionsLost && session.continuesWith(offered);
    if (!continued) {
      session?.channel?.close();
      const next = new GatewaySession(DurableChannel.reset(this.ctx.storage.sql, offered));
      if (session) this.#endSession(session, next);
      session = next;
      this.#session = next;
    }

    for (const old of open) this.#sockets.end(old, 4409, 'Superseded by new connection');

    const pair = new WebSocketPair();
    const [clientEnd, server] = [pair[0], pair[1]];
    const attachment: GatewayAttachment = {
      userId: verified.userId,
      connectedAt: now,
      instanceName: verified.instanceName,
      bindingName: verified.bindingName,
    };
    if (verified.claims) attachment.claims = verified.claims;
    if (verified.tokenExp !== undefined) attachment.tokenExp = verified.tokenExp;
    if (session!.id !== undefined) attachment.sessionId = session!.id;
    // Batching rides on resume (one seq per batch frame); plain clients get single frames.
    if (verified.batch && session!.channel) attachment.batch = true;
    // So does the compact wire: its interned targets live with the resume session.
    if (verified.wire && session!.channel) attachment.wire = WIRE_VERSION;
    this.#sockets.accept(server, attachment);
    if (alarm !== null) this.ctx.storage.deleteAlarm().catch((e: unknown) => log.error('deleteAlarm failed', { error: String(e) }));

    const s = session!;
    const status: Record<string, unknown> = { type: 'connection_status', subscriptionsLost };
    if (attachment.batch) status.batch = true;
    if (attachment.wire) status.wire = WIRE_VERSION;
    if (s.channel) {
      status.resumed = continued;
      status.ack = s.channel.received;
      s.lastAckSent = s.channel.received;
    }
    // Everything the client has not acknowledged (resume) or never received (plain) goes out now.
    const backlog = s.channel ? s.channel.pendingAfter(continued ? verified.resume!.ack : 0) : s.waiting.splice(0);
    s.channel?.flush();
    server.send(JSON.stringify(status));
    for (const text of backlog) server.send(text);
    for (const p of this.#pending.values()) if (p.session === s) p.transmitted = true;
    log.info('connection accepted', {
      instanceName: verified.instanceName,
      subscriptionsLost,
      resumed: s.channel ? continued : undefined,
      resent: backlog.length,
      superseded: open.length,
    });
    return new Response(null, { status: 101, webSocket: clientEnd, headers: { 'Sec-WebSocket-Protocol': 'lmz' } });
  }

  /** Handles one client frame: calls into the mesh, answers to incoming calls, acks. */
  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const log = this.#logs.webSocketMessage;
    if (isHeartbeatPing(message)) return; // normally answered by the auto-response; never a protocol frame
    const attachment = this.#sockets.attachment(ws);
    if (!attachment || attachment.ended) return;
    if (typeof message !== 'string') {
      log.warn('binary frame ignored', { instanceName: attachment.instanceName, bytes: message.byteLength });
      return;
    }
    if (message.length * 3 > this.#config.maxFrameBytes && utf8Length(message) > this.#config.maxFrameBytes) {
      log.warn('oversize frame, closing 1009', { instanceName: attachment.instanceName, limit: this.#config.maxFrameBytes });
      this.#sockets.end(ws, 1009, 'Message too big');
      this.#socketGone(ws);
      return;
    }
    if (this.#logs.wire.enabled) this.#logs.wire.debug('frame in', { instanceName: attachment.instanceName, frame: describeWireFrame(message) });
    const { parsed, members, elements } = readClientFrame(message); // compact frames: one pass, chains left as text
    if (!parsed.ok) {
      this.#refuseFrame(ws, attachment, parsed);
      return;
    }
    const frame = parsed.frame;
    const inner: ClientInnerFrame[] = frame.type === 'batch' ? frame.frames : frame.type === ACK_FRAME_TYPE ? [] : [frame];
    const calls = inner.reduce((n, f) => (f.type === 'call' ? n + 1 : n), 0);
    if (attachment.tokenExp !== undefined && attachment.tokenExp * 1000 <= Date.now()) {
      log.warn('token expired, closing 4401', { instanceName: attachment.instanceName });
      for (const f of inner) {
        if (f.type === 'call') ws.send(JSON.stringify({ ...errorResponse(f.callId, new Error('Token expired')), retryable: true }));
      }
      this.#sockets.end(ws, 4401, 'Token expired');
      this.#socketGone(ws);
      return;
    }
    const session = this.#currentSession([ws])!;
    const channel = session.channel;
    if (channel) {
      if (frame.ack !== undefined) channel.acknowledge(frame.ack);
      if (frame.seq !== undefined) {
        const verdict = channel.accept(frame.seq);
        if (verdict === 'duplicate') {
          log.debug('duplicate frame ignored', { seq: frame.seq });
          this.#outbound.sendAck(ws, session);
          return;
        }
        if (verdict === 'gap') {
          log.warn('sequence gap, closing 1002', { seq: frame.seq, expected: channel.received + 1 });
          channel.flush(); // what the frame's ack changed
          this.#sockets.end(ws, 1002, 'Sequence gap');
          this.#socketGone(ws);
          return;
        }
      }
    }
    if (channel && calls > 0 && frame.seq !== undefined && this.#outbound.full(channel, 0, calls)) {
      // Not run: the client must first acknowledge what it holds; it re-sends these calls on resume.
      channel.unaccept(frame.seq);
      channel.flush();
      this.#closeOverfull(ws, channel, attachment.instanceName);
      return;
    }
    if (frame.type === 'batch') {
      for (const r of frame.refused) this.#refuseFrame(ws, attachment, { ok: false, ...r });
      // One pass over the batch's text for every inner frame's text and its chain's text.
      const texts = (frame.compact ? elements : undefined) ?? batchElementTexts(message, frame.compact ? 'f' : 'frames', CHAIN_MEMBERS) ?? [];
      frame.frames.forEach((f, i) => {
        const element = texts[frame.positions[i]!];
        this.#onInner(ws, f, element?.text ?? '', attachment, session, element?.members);
      });
    } else if (frame.type === ACK_FRAME_TYPE) {
      // Acknowledgement only (handled above).
    } else this.#onInner(ws, frame, message, attachment, session, members);
    if (channel) {
      if (channel.received - session.lastAckSent >= ACK_EVERY) this.#outbound.sendAck(ws, session);
      channel.flush();
      if (this.#outbound.overfull(channel)) this.#closeOverfull(ws, channel, attachment.instanceName);
    }
  }

  /**
   * One call or answer from the client (alone, or one of a batch); `text` is its own JSON text,
   * `members` (a batch's) the texts of its {@link CHAIN_MEMBERS}, already read.
   */
  #onInner(ws: WebSocket, frame: ClientInnerFrame, text: string, attachment: GatewayAttachment, session: GatewaySession, members?: Map<string, string>): void {
    if (frame.type === 'call') {
      if (frame.compact) {
        const problem = resolveTarget(frame, session.names());
        if (problem) return this.#refuseFrame(ws, attachment, { ok: false, reason: problem, type: 'call', callId: frame.callId });
      }
      session.channel?.owe(frame.callId);
      const name = frame.compact ?? 'chain';
      const chainText = members ? members.get(name) : memberText(text, name);
      // Plain operations (`o`) travel without their tag; the callee reads the tagged form.
      this.#calls.call(frame, attachment, session, frame.compact === 'o' && chainText !== undefined ? `[0,${chainText}]` : chainText);
    } else this.#pending.answer(frame, text);
  }

  /** A malformed frame (or batch entry): logged; a call gets an error answer, an awaited answer fails its caller now. */
  #refuseFrame(ws: WebSocket, attachment: GatewayAttachment, refused: { ok: false; reason: string; type?: string; callId?: string }): void {
    this.#logs.webSocketMessage.warn('malformed frame ignored', { instanceName: attachment.instanceName, reason: refused.reason });
    if (refused.type === 'call' && refused.callId) {
      ws.send(JSON.stringify(errorResponse(refused.callId, new Error(`Invalid call: ${refused.reason}`))));
    } else if (refused.type === 'incoming_call_response' && refused.callId) {
      this.#pending.refuse(refused.callId, refused.reason);
    }
  }

  /** A client socket closed: start the grace period (unless another socket took over). */
  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    const attachment = this.#sockets.attachment(ws);
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);
    } catch {
      // Already closed: the runtime completed the handshake itself.
    }
    if (!attachment || attachment.ended) return;
    // After hibernation the session lives only in the attachment: rebuild it before the socket goes.
    this.#currentSession([ws]);
    this.#logs.webSocketClose.info('client socket closed', { instanceName: attachment.instanceName, code });
    this.#socketGone(ws);
  }

  /** A socket error counts as a close. */
  override async webSocketError(ws: WebSocket, error: unknown): Promise<void> {
    const attachment = this.#sockets.attachment(ws);
    if (!attachment || attachment.ended) return;
    this.#logs.webSocketError.warn('client socket error', { instanceName: attachment.instanceName, error: String(error) });
    this.#sockets.end(ws, 1011, 'Socket error');
    this.#socketGone(ws);
  }

  /** Grace period over: fail waiting calls, drop the session, leave the "expired" marker alarm. */
  override async alarm(): Promise<void> {
    const log = this.#logs.alarm;
    if (this.#sockets.open().length > 0) return;
    this.ctx.storage.setAlarm(Date.now() + MARKER_ALARM_OFFSET_MS).catch((e: unknown) => log.error('setAlarm failed', { error: String(e) }));
    let failed = 0;
    for (const [callId, p] of this.#pending.entries()) {
      this.#pending.settle(callId, p, disconnected('Client did not reconnect within grace period', p.instanceName));
      failed++;
    }
    const session = this.#currentSession([]);
    this.#session = undefined;
    const dropped = session?.channel ? session.channel.unackedCount : (session?.waiting.length ?? 0);
    session?.channel?.close();
    DurableChannel.reset(this.ctx.storage.sql, undefined);
    if (dropped > 0) log.warn('grace expired with undelivered frames', { dropped });
    log.info('grace period expired', { failedCalls: failed });
  }

  /**
   * Mesh → client entry point (Workers RPC): forwards the call as `incoming_call` and resolves with
   * the client's answer, or with a ClientDisconnectedError.
   */
  async __executeOperation(envelope: CallEnvelope): Promise<CallResult | TextCallResult> {
    const log = this.#logs.__executeOperation;
    validateCallEnvelope(envelope);
    if (envelope.batch) return encodeError(new TypeError('Batches require a LumenizeDO callee'));
    if (envelope.options?.transaction) return encodeError(new TypeError('transaction requires a LumenizeDO callee'));
    let ws: WebSocket | undefined = this.#liveSocket();
    const instanceName = (ws && this.#sockets.attachment(ws)?.instanceName) ?? envelope.metadata?.callee?.instanceNameOrId ?? this.ctx.id.name ?? '';
    if (ws) {
      const attachment = this.#sockets.attachment(ws)!;
      if (attachment.tokenExp !== undefined && attachment.tokenExp * 1000 <= Date.now()) {
        // Treated like a call during the grace period: it waits for the refreshed reconnect.
        log.warn('token expired on forward, closing 4401', { instanceName });
        this.#sockets.end(ws, 4401, 'Token expired');
        this.#socketGone(ws);
        ws = undefined;
      }
    }
    if (!ws && !this.#currentSession([])) {
      // Nothing in memory or storage: the alarm says whether we are within a grace period.
      const alarm = await this.ctx.storage.getAlarm();
      ws = this.#liveSocket();
      if (!ws && !this.#session && presence(false, alarm, Date.now(), this.#config.gracePeriodMs) !== 'grace') {
        return disconnected('Client is not connected', instanceName);
      }
    } else if (!ws) {
      // A session without a socket: grace, a close whose event has not been delivered yet, or a
      // restart (sockets closed without events): make sure the grace alarm exists so this call
      // cannot wait forever.
      const alarm = await this.ctx.storage.getAlarm();
      ws = this.#liveSocket();
      if (!ws && alarm === null) this.#startGrace();
    }
    const session = ws ? this.#currentSession([ws])! : (this.#session ??= new GatewaySession(undefined));
    const callId = this.#pending.nextId();
    const frame = incomingCallFrame(envelope, callId);
    const wantsText = envelope.options?.resultText === true;
    return new Promise<CallResult | TextCallResult>((resolve) => {
      const timer = setTimeout(() => {
        const p = this.#pending.get(callId);
        if (!p) return;
        log.warn('client call timed out', { callId, instanceName });
        if (!p.transmitted) this.#outbound.withdraw(p);
        this.#pending.settle(callId, p, disconnected('Client call timed out', instanceName));
      }, this.#config.clientCallTimeoutMs);
      const pending: PendingIncoming = { resolve, wantsText, timer, session, frame, transmitted: false, instanceName };
      this.#pending.add(callId, pending);
      this.#emitIncoming(pending, ws);
    });
  }

  /**
   * Several mesh → client calls in one Workers RPC (a node's calls of one turn to this client), each
   * forwarded and answered on its own; answers still pending after one macrotask are parked.
   */
  __executeBatch(envelopes: CallEnvelope[]): Promise<Array<CallResult | TextCallResult | ParkedResult>> {
    return answerBatch(envelopes, (envelope) => this.__executeOperation(envelope as CallEnvelope));
  }

  /** The answer of a batch entry that was still pending when its batch replied (framework-only). */
  __awaitParked(token: string): Promise<CallResult | TextCallResult> {
    return claimParked(token) as Promise<CallResult | TextCallResult>;
  }

  // --- mesh → client -------------------------------------------------------------------------

  #emitIncoming(p: PendingIncoming, ws: WebSocket | undefined): void {
    const refused = this.#outbound.incoming(p, ws);
    if (!refused) return;
    this.#pending.settle(p.frame.callId, p, encodeError(refused.error));
    if (ws && refused.overfull && p.session.channel) this.#closeOverfull(ws, p.session.channel, p.instanceName);
  }

  /** Sends a `call_response`; `resultText` (JSON) becomes its `result` field without re-serializing. */
  #emitResponse(session: GatewaySession, response: Record<string, unknown>, resultText?: string): void {
    if (session !== this.#session) {
      this.#logs.callResponse.warn('response dropped: the client session that made the call has ended', { callId: response.callId });
      return;
    }
    const ws = this.#liveSocket();
    const wire = (ws && this.#sockets.attachment(ws)?.wire) ?? 1;
    const emitted = this.#outbound.response(session, ws, response, this.#instanceName(ws), resultText, wire);
    if (ws && emitted === 'overfull' && session.channel) this.#closeOverfull(ws, session.channel, this.#instanceName(ws));
  }

  // --- sessions and sockets ------------------------------------------------------------------

  /**
   * The session: in memory, else the resume session stored in SQLite (after hibernation, eviction or
   * a restart), else a plain session rebuilt from an open socket's attachment.
   */
  #currentSession(open: WebSocket[]): GatewaySession | undefined {
    if (this.#session) return this.#session;
    if (!this.#loaded) {
      this.#loaded = true;
      const channel = DurableChannel.load(this.ctx.storage.sql);
      if (channel) {
        this.#session = new GatewaySession(channel);
        this.#answerOrphans(this.#session);
        return this.#session;
      }
    }
    for (const ws of open) {
      const a = this.#sockets.attachment(ws);
      if (a && !a.ended) {
        // A resume socket whose session is not stored (never expected): start it afresh.
        this.#session = new GatewaySession(a.sessionId === undefined ? undefined : DurableChannel.reset(this.ctx.storage.sql, a.sessionId));
        return this.#session;
      }
    }
    return undefined;
  }

  /**
   * A fresh instance found client calls owed an answer: the instance that forwarded them is gone
   * (no forward survives in memory), so each gets CallOutcomeUnknownError, exactly once.
   */
  #answerOrphans(session: GatewaySession): void {
    const channel = session.channel!;
    for (const callId of channel.owed()) {
      this.#logs.callResponse.warn('call in flight when the gateway restarted: answered with CallOutcomeUnknownError', { callId });
      if (channel.settle(callId)) channel.record(JSON.stringify(errorResponse(callId, new CallOutcomeUnknownError(callId))));
    }
  }

  /**
   * Ends a session replaced by a different client instance: calls it already transmitted may have
   * run and fail; calls it never transmitted move to the next session.
   */
  #endSession(old: GatewaySession, next: GatewaySession): void {
    for (const [callId, p] of this.#pending.entries()) {
      if (p.session !== old) continue;
      if (p.transmitted) {
        this.#pending.settle(callId, p, disconnected('Connection lost during call', p.instanceName));
      } else {
        // A resume session's rows went with it (the next session reset the outbox).
        if (!old.channel) this.#outbound.withdraw(p);
        p.session = next;
        p.seq = undefined;
        p.group = undefined;
        p.waitingText = undefined;
        this.#emitIncoming(p, undefined);
      }
    }
  }

  /**
   * The client's socket is gone. With no other socket open, start the grace period; plain
   * sessions fail calls the client may have received (at-most-once), resume sessions keep them.
   */
  #socketGone(ws: WebSocket): void {
    this.#sockets.forget(ws);
    if (this.#sockets.open().some((other) => other !== ws)) return;
    this.#startGrace();
    const session = this.#session;
    if (!session || session.channel) return;
    for (const [callId, p] of this.#pending.entries()) {
      if (p.session === session && p.transmitted) this.#pending.settle(callId, p, disconnected('Connection lost during call', p.instanceName));
    }
  }

  #startGrace(): void {
    this.ctx.storage
      .setAlarm(Date.now() + this.#config.gracePeriodMs)
      .catch((e: unknown) => this.#logs.alarm.error('setAlarm failed', { error: String(e) }));
  }

  /** The open socket frames go to; a socket whose heartbeat went stale is treated as gone (grace starts). */
  #liveSocket(): WebSocket | undefined {
    const ws = this.#sockets.open()[0];
    if (!ws || !this.#sockets.stale(ws, this.#config.heartbeatStaleAfterMs)) return ws;
    this.#logs.webSocketClose.warn('socket heartbeat stale, treated as gone (closing 4408)', { instanceName: this.#sockets.attachment(ws)?.instanceName });
    this.#currentSession([ws]);
    this.#sockets.end(ws, 4408, 'Heartbeat stale');
    this.#socketGone(ws);
    return undefined;
  }

  #instanceName(ws: WebSocket | undefined): string {
    return (ws && this.#sockets.attachment(ws)?.instanceName) ?? this.ctx.id.name ?? '';
  }

  /** The client holds too much unacknowledged: close 1008; it resumes from its last ack (a replay it acknowledges). */
  #closeOverfull(ws: WebSocket, channel: DurableChannel, instanceName: string): void {
    this.#logs.webSocketMessage.warn('client not acknowledging, closing 1008', { instanceName, unackedFrames: channel.unackedCount, unackedBytes: channel.unackedBytes });
    this.#sockets.end(ws, 1008, 'Too many unacknowledged frames');
    this.#socketGone(ws);
  }
}
