/**
 * LumenizeClientGateway: the Durable Object that bridges one client (`{userId}.{tabId}`) into the
 * mesh (mesh spec §3.5, §4.11–§4.13). It is the trust boundary: it accepts only middleware-verified
 * identity, rebuilds every call context from that identity, keeps in-flight work across reconnects
 * within the grace period, and (resume extension) numbers and acknowledges every frame, keeping
 * unacknowledged ones in its SQLite outbox (gateway/outbox.ts), so nothing is lost or run twice
 * across a dropped socket, an eviction or a restart.
 * Guide: docs/mesh-clients.md.
 */
import { DurableObject } from 'cloudflare:workers';
import { debug, type DebugLogger } from '@lumenize/debug';
import { checkRateLimit, reportMissingRateLimiter } from '@lumenize/utils';
import { ACK_FRAME_TYPE, isSerializedValue, MAX_FRAME_BYTES, parseClientFrame, utf8Length, type CallFrame, type ClientInnerFrame, type IncomingCallFrame, type IncomingCallResponseFrame } from '../client/frames.ts';
import { FrameTooLargeError } from '../client/frame-too-large-error.ts';
import { ClientDisconnectedError, RateLimitedError } from '../errors.ts';
import { encodeError, serializeValue, validateCallEnvelope } from '../envelope.ts';
import type { CallEnvelope, CallResult, NodeIdentity, TextCallResult } from '../protocol.ts';
import { readAttachment, type GatewayAttachment } from './attachment.ts';
import { forwardClientBatch, forwardClientCall } from './forward.ts';
import { intermediateTextProblem, InvalidPeerResultError } from './intermediate-text.ts';
import { arrayElementTexts, memberText } from './member-text.ts';
import { MARKER_ALARM_OFFSET_MS, presence, subscriptionsLostFor } from './grace.ts';
import { GatewaySession } from './session.ts';
import { installHeartbeat, isHeartbeatPing, isSocketStale } from './heartbeat.ts';
import { DurableChannel, frameBytes } from './outbox.ts';
import { batchBody, FrameBatcher } from '../client/frame-batcher.ts';
import { CallOutcomeUnknownError, OutboxFullError } from './outbox-errors.ts';
import { validateUpgrade } from './upgrade.ts';

/** An incoming call (mesh → client) waiting for the client's answer. */
interface PendingIncoming {
  resolve: (result: CallResult | TextCallResult) => void;
  /** The caller asked for `$result` as JSON text (a gateway forwarding for its own client). */
  wantsText: boolean;
  timer: ReturnType<typeof setTimeout>;
  session: GatewaySession;
  /** The frame without resume fields, so it can be re-sent under a new session. */
  frame: IncomingCallFrame;
  /** Resume sessions: the frame's seq slot. */
  seq?: number;
  /** Plain sessions: the text queued in `session.waiting` until a socket opens. */
  waitingText?: string;
  /** Sent inside a `batch` frame: the frame's seq slot holds these bodies (this one among them). */
  group?: { bodies: string[] };
  /** The frame body without resume fields, as it sits in `group`. */
  body?: string;
  /** True once the frame went out on a socket (the client may have run it). */
  transmitted: boolean;
  instanceName: string;
}

/** A frame waiting for the end of the turn to leave with the others in one `batch` frame. */
interface Outgoing {
  body: string;
  session: GatewaySession;
  pending?: PendingIncoming;
}

/** Client frames after which the gateway sends a standalone ack when it had nothing else to send. */
const ACK_EVERY = 16;
/** Largest gateway → client frame: under SQLite's 8 MiB value limit (and the 32 MiB message limit). */
export const MAX_OUTBOUND_FRAME_BYTES = 8_000_000;
/** A socket whose last heartbeat answer is older than this is treated as gone (client pings every ~9 s). */
export const HEARTBEAT_STALE_AFTER_MS = 30_000;

/**
 * Gateway DO, one per client `{userId}.{tabId}`. Bind it as `LUMENIZE_CLIENT_GATEWAY`
 * (or any name; clients pass `gatewayBindingName`) and route upgrades to it with
 * `createLumenizeRouter`.
 * @example export { LumenizeClientGateway } from '@lumenize/mesh';
 */
export class LumenizeClientGateway<Env = Cloudflare.Env> extends DurableObject<Env> {
  /** How long a closed client may take to reconnect before its session is dropped. */
  static gracePeriodMs = 5_000;
  /** How long an incoming call may wait for the client's answer. */
  static clientCallTimeoutMs = 30_000;
  /** The `env` binding of a Cloudflare rate limiter; without it client calls are not limited. */
  static rateLimiterBinding = 'LUMENIZE_GATEWAY_RATE_LIMITER';
  /** Largest text frame accepted from a client; larger ones close the socket with 1009. */
  static maxFrameBytes = MAX_FRAME_BYTES;
  /**
   * Resume sessions: most bytes (UTF-8) of unacknowledged frames kept for one client (32 MiB),
   * checked on every frame the gateway sends. Past it the socket is closed with 1008 and the client
   * resumes from its last ack (docs/mesh-clients.md "Durable outbox").
   */
  static maxUnackedBytes = 32 * 1024 * 1024;
  /** Resume sessions: most unacknowledged frames plus unanswered client calls for one client. */
  static maxUnackedFrames = 10_000;
  /** Largest frame the gateway sends; a larger answer or incoming call fails with FrameTooLargeError. */
  static maxOutboundFrameBytes = MAX_OUTBOUND_FRAME_BYTES;
  /** A socket whose last heartbeat answer is older than this gets no frames: it is treated as gone (4408). */
  static heartbeatStaleAfterMs = HEARTBEAT_STALE_AFTER_MS;

  #log = debug(this);
  #logs = {
    fetch: this.#log('lmz.mesh.LumenizeClientGateway.fetch'),
    webSocketMessage: this.#log('lmz.mesh.LumenizeClientGateway.webSocketMessage'),
    webSocketClose: this.#log('lmz.mesh.LumenizeClientGateway.webSocketClose'),
    webSocketError: this.#log('lmz.mesh.LumenizeClientGateway.webSocketError'),
    alarm: this.#log('lmz.mesh.LumenizeClientGateway.alarm'),
    __executeOperation: this.#log('lmz.mesh.LumenizeClientGateway.__executeOperation'),
    rateLimit: this.#log('lmz.mesh.LumenizeClientGateway.rateLimit'),
    callResponse: this.#log('lmz.mesh.LumenizeClientGateway.callResponse'),
  };
  #session: GatewaySession | undefined;
  #pending = new Map<string, PendingIncoming>();
  #attachments = new WeakMap<WebSocket, GatewayAttachment>();
  #dispatch: Promise<void> = Promise.resolve();
  /** The client's live socket; empty after hibernation or a close, then re-derived from ctx.getWebSockets(). */
  #socket: WebSocket | undefined;
  /** True once this instance looked for a stored resume session (it does so once per instance). */
  #loaded = false;
  /** Frames of this turn for a batching client: they leave as one `batch` frame (one outbox row). */
  #out: FrameBatcher<Outgoing>;
  /** Client calls of this turn by target (`binding` or `binding instance`), forwarded together. */
  #forwards = new Map<string, Array<{ frame: CallFrame; attachment: GatewayAttachment; session: GatewaySession; chainText: string | undefined }>>();
  #forwardQueued = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#out = new FrameBatcher<Outgoing>((body, items) => this.#sendGroup(body, items), (o) => o.body, this.#config.maxOutboundFrameBytes);
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
    const open = this.#openSockets(true);
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

    for (const old of open) this.#endSocket(old, 4409, 'Superseded by new connection');

    const pair = new WebSocketPair();
    const [clientEnd, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server);
    this.#socket = server;
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
    this.#attachments.set(server, attachment);
    server.serializeAttachment(attachment);
    if (alarm !== null) this.ctx.storage.deleteAlarm().catch((e: unknown) => log.error('deleteAlarm failed', { error: String(e) }));

    const s = session!;
    const status: Record<string, unknown> = { type: 'connection_status', subscriptionsLost };
    if (attachment.batch) status.batch = true;
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
    const attachment = this.#attachment(ws);
    if (!attachment || attachment.ended) return;
    if (typeof message !== 'string') {
      log.warn('binary frame ignored', { instanceName: attachment.instanceName, bytes: message.byteLength });
      return;
    }
    if (message.length * 3 > this.#config.maxFrameBytes && utf8Length(message) > this.#config.maxFrameBytes) {
      log.warn('oversize frame, closing 1009', { instanceName: attachment.instanceName, limit: this.#config.maxFrameBytes });
      this.#endSocket(ws, 1009, 'Message too big');
      this.#socketGone(ws);
      return;
    }
    const parsed = parseClientFrame(message);
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
      this.#endSocket(ws, 4401, 'Token expired');
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
          this.#sendAck(ws, session);
          return;
        }
        if (verdict === 'gap') {
          log.warn('sequence gap, closing 1002', { seq: frame.seq, expected: channel.received + 1 });
          this.#endSocket(ws, 1002, 'Sequence gap');
          this.#socketGone(ws);
          return;
        }
      }
    }
    if (channel && calls > 0 && frame.seq !== undefined && this.#full(channel, 0, calls)) {
      // Not run: the client must first acknowledge what it holds; it re-sends these calls on resume.
      channel.unaccept(frame.seq);
      channel.flush();
      this.#closeOverfull(ws, channel, attachment.instanceName);
      return;
    }
    if (frame.type === 'batch') {
      for (const r of frame.refused) this.#refuseFrame(ws, attachment, { ok: false, ...r });
      const texts = arrayElementTexts(memberText(message, 'frames') ?? '') ?? [];
      frame.frames.forEach((f, i) => this.#onInner(f, texts[frame.positions[i]!] ?? '', attachment, session));
    } else if (frame.type === ACK_FRAME_TYPE) {
      // Acknowledgement only (handled above).
    } else this.#onInner(frame, message, attachment, session);
    if (channel) {
      if (channel.received - session.lastAckSent >= ACK_EVERY) this.#sendAck(ws, session);
      channel.flush();
      if (channel.unackedBytes > this.#config.maxUnackedBytes || channel.unackedCount > this.#config.maxUnackedFrames) {
        this.#closeOverfull(ws, channel, attachment.instanceName);
      }
    }
  }

  /** One call or answer from the client (alone, or one of a batch); `text` is its own JSON text. */
  #onInner(frame: ClientInnerFrame, text: string, attachment: GatewayAttachment, session: GatewaySession): void {
    if (frame.type === 'call') {
      session.channel?.owe(frame.callId);
      this.#onCall(frame, attachment, session, memberText(text, 'chain'));
    } else this.#onIncomingResponse(frame, text);
  }

  /** A malformed frame (or batch entry): logged; a call gets an error answer, an awaited answer fails its caller now. */
  #refuseFrame(ws: WebSocket, attachment: GatewayAttachment, refused: { ok: false; reason: string; type?: string; callId?: string }): void {
    this.#logs.webSocketMessage.warn('malformed frame ignored', { instanceName: attachment.instanceName, reason: refused.reason });
    if (refused.type === 'call' && refused.callId) {
      ws.send(JSON.stringify(errorResponse(refused.callId, new Error(`Invalid call: ${refused.reason}`))));
    } else if (refused.type === 'incoming_call_response' && refused.callId) {
      // The caller waiting for this answer learns why now instead of at its timeout.
      const p = this.#pending.get(refused.callId);
      if (p) this.#settle(refused.callId, p, invalidAnswer(this.#logs.webSocketMessage, p, refused.callId, refused.reason));
    }
  }

  /** A client socket closed: start the grace period (unless another socket took over). */
  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    const attachment = this.#attachment(ws);
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
    const attachment = this.#attachment(ws);
    if (!attachment || attachment.ended) return;
    this.#logs.webSocketError.warn('client socket error', { instanceName: attachment.instanceName, error: String(error) });
    this.#endSocket(ws, 1011, 'Socket error');
    this.#socketGone(ws);
  }

  /** Grace period over: fail waiting calls, drop the session, leave the "expired" marker alarm. */
  override async alarm(): Promise<void> {
    const log = this.#logs.alarm;
    if (this.#openSockets().length > 0) return;
    this.ctx.storage.setAlarm(Date.now() + MARKER_ALARM_OFFSET_MS).catch((e: unknown) => log.error('setAlarm failed', { error: String(e) }));
    let failed = 0;
    for (const [callId, p] of this.#pending) {
      this.#settle(callId, p, disconnected('Client did not reconnect within grace period', p.instanceName));
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
    const instanceName = (ws && this.#attachment(ws)?.instanceName) ?? envelope.metadata?.callee?.instanceNameOrId ?? this.ctx.id.name ?? '';
    if (ws) {
      const attachment = this.#attachment(ws)!;
      if (attachment.tokenExp !== undefined && attachment.tokenExp * 1000 <= Date.now()) {
        // Treated like a call during the grace period: it waits for the refreshed reconnect.
        log.warn('token expired on forward, closing 4401', { instanceName });
        this.#endSocket(ws, 4401, 'Token expired');
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
    const callId = crypto.randomUUID();
    const frame: IncomingCallFrame = {
      type: 'incoming_call',
      callId,
      chain: envelope.chain as IncomingCallFrame['chain'],
      callContext: {
        callChain: [...envelope.callContext.callChain],
        originAuth: envelope.callContext.originAuth,
        state: serializeValue(envelope.callContext.state ?? {}),
      },
    };
    if (frame.callContext.originAuth === undefined) delete frame.callContext.originAuth;
    const wantsText = envelope.options?.resultText === true;
    return new Promise<CallResult | TextCallResult>((resolve) => {
      const timer = setTimeout(() => {
        const p = this.#pending.get(callId);
        if (!p) return;
        log.warn('client call timed out', { callId, instanceName });
        if (!p.transmitted) this.#withdraw(p);
        this.#settle(callId, p, disconnected('Client call timed out', instanceName));
      }, this.#config.clientCallTimeoutMs);
      const pending: PendingIncoming = { resolve, wantsText, timer, session, frame, transmitted: false, instanceName };
      this.#pending.set(callId, pending);
      this.#emitIncoming(pending, ws);
    });
  }

  // --- client → mesh -------------------------------------------------------------------------

  #onCall(frame: CallFrame, attachment: GatewayAttachment, session: GatewaySession, chainText: string | undefined): void {
    const limiter = (this.env as Record<string, unknown>)[this.#config.rateLimiterBinding];
    if (limiter === undefined) {
      reportMissingRateLimiter(this.#config.rateLimiterBinding);
      this.#forward(frame, attachment, session, chainText);
      return;
    }
    // Rate checks are async; chaining keeps forwards in the order the client sent them. Each link
    // settles (a failure answers its own call), so one rejection cannot wedge every later call.
    this.#dispatch = this.#dispatch
      .then(async () => {
        const allowed = await checkRateLimit(limiter as RateLimit, `message:${attachment.userId}`, this.#config.rateLimiterBinding);
        if (allowed) {
          this.#forward(frame, attachment, session, chainText);
          return;
        }
        this.#logs.rateLimit.warn('client call rate limited', { userId: attachment.userId, callId: frame.callId });
        this.#emitResponse(session, errorResponse(frame.callId, new RateLimitedError('Too many calls; slow down and retry later')));
      })
      .catch((error: unknown) => {
        this.#logs.rateLimit.error('rate-limit check failed; call answered with an error', { callId: frame.callId, error });
        this.#emitResponse(session, errorResponse(frame.callId, new Error(`Call not forwarded: the gateway's rate-limit check failed (${String(error)}); retry later`)));
      })
      .catch((error: unknown) => this.#logs.callResponse.error('could not answer a client call', { callId: frame.callId, error }));
  }

  /**
   * Queues a client call for this turn's forwards: the calls of one turn for the same target leave
   * as one Workers RPC (`__executeBatch`), in the order the client sent them.
   */
  #forward(frame: CallFrame, attachment: GatewayAttachment, session: GatewaySession, chainText: string | undefined): void {
    const key = frame.instance === undefined ? frame.binding : `${frame.binding} ${frame.instance}`;
    let group = this.#forwards.get(key);
    if (!group) this.#forwards.set(key, (group = []));
    group.push({ frame, attachment, session, chainText });
    if (this.#forwardQueued) return;
    this.#forwardQueued = true;
    queueMicrotask(() => this.#sendForwards());
  }

  #sendForwards(): void {
    this.#forwardQueued = false;
    const groups = [...this.#forwards.values()];
    this.#forwards.clear();
    const env = this.env as Record<string, unknown>;
    for (const group of groups) {
      const { attachment } = group[0]!;
      const origin: NodeIdentity = { type: 'LumenizeClient', bindingName: attachment.bindingName, instanceName: attachment.instanceName };
      // Durable Objects take a batch; a Worker (stateless: a parked answer could be on another isolate) one RPC per call.
      const results =
        group.length === 1 || group[0]!.frame.instance === undefined
          ? group.map((f) => forwardClientCall(env, f.frame, origin, attachment, f.chainText))
          : forwardClientBatch(
              env,
              group.map((f) => f.frame),
              group.map((f) => f.chainText),
              origin,
              attachment,
            );
      results.forEach((result, i) => {
        const { frame, session } = group[i]!;
        result
          .then((r) => this.#answer(frame, session, r))
          .catch((error: unknown) => this.#logs.callResponse.error('could not answer a client call', { callId: frame.callId, error }));
      });
    }
  }

  /** Answers one client call with the callee's reply (checked before any of it reaches the frame). */
  #answer(frame: CallFrame, session: GatewaySession, result: CallResult | TextCallResult): void {
    const reply = checkReply(result, frame.binding);
    if (typeof reply === 'string') {
      // Never forwarded: a callee's broken answer must not reach (or break) this client's frame.
      this.#logs.callResponse.warn('invalid result from callee answered as an error', { callId: frame.callId, binding: frame.binding, problem: reply });
      this.#emitResponse(session, errorResponse(frame.callId, new InvalidPeerResultError(reply)));
      return;
    }
    const response: Record<string, unknown> = { type: 'call_response', callId: frame.callId, success: reply.$error === undefined };
    if (reply.$error !== undefined) response.error = reply.$error;
    else if (typeof reply.$result === 'string') {
      // Proven above to be exactly one intermediate's JSON text: spliced in, never parsed here.
      this.#emitResponse(session, response, reply.$result);
      return;
    } else response.result = reply.$result;
    this.#emitResponse(session, response);
  }

  // --- mesh → client -------------------------------------------------------------------------

  /**
   * The client's answer to an incoming call. Its `result`/`error` text is proven to be one
   * serialized intermediate before it goes anywhere (a forwarding gateway splices it into another
   * client's frame); anything else reaches the caller as InvalidPeerResultError.
   */
  #onIncomingResponse(frame: IncomingCallResponseFrame, message: string): void {
    const pending = this.#pending.get(frame.callId);
    if (!pending) {
      this.#logs.webSocketMessage.warn('unexpected incoming_call_response ignored', { callId: frame.callId });
      return;
    }
    const member = frame.success ? 'result' : 'error';
    const text = memberText(message, member);
    const problem = text === undefined ? `no '${member}' member` : intermediateTextProblem(text);
    if (problem !== undefined) {
      this.#settle(frame.callId, pending, invalidAnswer(this.#logs.webSocketMessage, pending, frame.callId, `its ${member} is not a serialized value: ${problem}`));
      return;
    }
    if (!frame.success) this.#settle(frame.callId, pending, { $error: frame.error } as CallResult);
    else this.#settle(frame.callId, pending, pending.wantsText ? { $result: text! } : ({ $result: frame.result } as CallResult));
  }

  #emitIncoming(p: PendingIncoming, ws: WebSocket | undefined): void {
    const session = p.session;
    const text = JSON.stringify(p.frame);
    const size = frameBytes(text);
    if (size > this.#config.maxOutboundFrameBytes) {
      // Never stored or sent: it would fail on every replay. The caller learns why.
      this.#logs.__executeOperation.warn('incoming call too large, refused', { callId: p.frame.callId, size });
      this.#settle(p.frame.callId, p, encodeError(new FrameTooLargeError('this call to the client', size, this.#config.maxOutboundFrameBytes)));
      return;
    }
    if (session.channel) {
      const channel = session.channel;
      if (this.#full(channel, size)) {
        this.#settle(p.frame.callId, p, encodeError(this.#outboxFull('This call', channel, p.instanceName)));
        if (ws) this.#closeOverfull(ws, channel, p.instanceName);
        return;
      }
      if (this.#batching(ws)) {
        this.#out.add({ body: text, session, pending: p });
        return;
      }
      const { seq, text: framed } = channel.record(text);
      p.seq = seq;
      session.lastAckSent = channel.received;
      if (ws && safeSend(ws, framed)) p.transmitted = true;
      return;
    }
    if (ws && safeSend(ws, text)) {
      p.transmitted = true;
    } else {
      p.waitingText = text;
      session.waiting.push(text);
    }
  }

  /** Sends a `call_response`; `resultText` (JSON) becomes its `result` field without re-serializing. */
  #emitResponse(session: GatewaySession, response: Record<string, unknown>, resultText?: string): void {
    const log = this.#logs.callResponse;
    if (session !== this.#session) {
      log.warn('response dropped: the client session that made the call has ended', { callId: response.callId });
      return;
    }
    const ws = this.#liveSocket();
    const callId = String(response.callId);
    let body = withResult(JSON.stringify(response), resultText);
    const size = frameBytes(body);
    if (size > this.#config.maxOutboundFrameBytes) {
      // Stored or sent, it would fail on every replay: the client gets the reason instead.
      log.warn('answer too large, answered with FrameTooLargeError', { callId, size });
      body = JSON.stringify(errorResponse(callId, new FrameTooLargeError('the answer to this call', size, this.#config.maxOutboundFrameBytes)));
    }
    if (session.channel) {
      const channel = session.channel;
      if (!channel.settle(callId)) {
        log.warn('response dropped: this call was already answered', { callId });
        return;
      }
      let overfull = false;
      if (this.#full(channel, frameBytes(body))) {
        // Owed exactly once: the client gets a small error instead of an answer it cannot take now.
        overfull = true;
        body = JSON.stringify(errorResponse(callId, this.#outboxFull('The answer to this call', channel, this.#instanceName(ws))));
      }
      if (this.#batching(ws)) {
        this.#out.add({ body, session });
        if (!overfull) return;
        this.#out.flush();
      } else {
        const { text } = channel.record(body);
        session.lastAckSent = channel.received;
        if (ws) safeSend(ws, text);
      }
      if (ws && overfull) this.#closeOverfull(ws, channel, this.#instanceName(ws));
      return;
    }
    if (!ws || !safeSend(ws, body)) log.warn('response dropped: no client socket open', { callId: response.callId });
  }

  /**
   * True when a frame for a resume session goes into this turn's batch: the client reads batches,
   * or frames of this turn already wait there (order per direction is kept).
   */
  #batching(ws: WebSocket | undefined): boolean {
    return this.#out.size > 0 || (ws !== undefined && this.#attachment(ws)?.batch === true);
  }

  /** Records one frame (a batch, or a single frame) of this turn under one seq and sends it. */
  #sendGroup(body: string, items: Outgoing[]): void {
    const session = items[0]!.session;
    const channel = session.channel;
    if (session !== this.#session || !channel) {
      this.#logs.callResponse.warn('frames dropped: the client session that produced them has ended', { frames: items.length });
      return;
    }
    const { seq, text } = channel.record(body);
    session.lastAckSent = channel.received;
    const ws = this.#openSockets()[0];
    const sent = ws !== undefined && safeSend(ws, text);
    const group = items.length > 1 ? { bodies: items.map((o) => o.body) } : undefined;
    for (const o of items) {
      if (!o.pending) continue;
      o.pending.seq = seq;
      o.pending.body = o.body;
      o.pending.group = group;
      if (sent) o.pending.transmitted = true;
    }
  }

  /** Takes an untransmitted incoming call back out of its session's outbound frames. */
  #withdraw(p: PendingIncoming): void {
    if (p.seq !== undefined && p.session.channel && p.group) {
      // Inside a batch: the slot keeps the other frames.
      const channel = p.session.channel;
      const i = p.group.bodies.indexOf(p.body!);
      if (i >= 0) p.group.bodies.splice(i, 1);
      const body = p.group.bodies.length > 0 ? batchBody(p.group.bodies) : `{"type":"${ACK_FRAME_TYPE}"}`;
      channel.replace(p.seq, `${body.slice(0, -1)},"seq":${p.seq},"ack":${channel.received}}`);
    } else if (p.seq !== undefined && p.session.channel) {
      p.session.channel.replace(p.seq, JSON.stringify({ type: ACK_FRAME_TYPE, seq: p.seq, ack: p.session.channel.received }));
    } else if (p.waitingText !== undefined) {
      const i = p.session.waiting.indexOf(p.waitingText);
      if (i >= 0) p.session.waiting.splice(i, 1);
    }
  }

  #settle(callId: string, p: PendingIncoming, result: CallResult | TextCallResult): void {
    clearTimeout(p.timer);
    this.#pending.delete(callId);
    p.resolve(result);
  }

  // --- sessions and sockets ------------------------------------------------------------------

  /**
   * Sockets that are open (a socket we closed reports CLOSING and no longer counts). The cached live
   * socket answers the per-call lookups; `all` (and an empty cache) asks the runtime.
   */
  #openSockets(all = false): WebSocket[] {
    const live = this.#socket;
    if (!all && live && live.readyState === WebSocket.OPEN && !this.#attachment(live)?.ended) return [live];
    const open = this.ctx.getWebSockets().filter((ws) => ws.readyState === WebSocket.OPEN && !this.#attachment(ws)?.ended);
    this.#socket = open[0];
    return open;
  }

  #attachment(ws: WebSocket): GatewayAttachment | undefined {
    let a = this.#attachments.get(ws);
    if (!a) {
      a = readAttachment(ws);
      if (a) this.#attachments.set(ws, a);
    }
    return a;
  }

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
      const a = this.#attachment(ws);
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
    for (const [callId, p] of this.#pending) {
      if (p.session !== old) continue;
      if (p.transmitted) {
        this.#settle(callId, p, disconnected('Connection lost during call', p.instanceName));
      } else {
        // A resume session's rows went with it (the next session reset the outbox).
        if (!old.channel) this.#withdraw(p);
        p.session = next;
        p.seq = undefined;
        p.group = undefined;
        p.waitingText = undefined;
        this.#emitIncoming(p, undefined);
      }
    }
  }

  /** Closes a socket from our side and marks it so its close event is ignored. */
  #endSocket(ws: WebSocket, code: number, reason: string): void {
    if (this.#socket === ws) this.#socket = undefined;
    const a = this.#attachment(ws);
    if (a) {
      a.ended = true;
      try {
        ws.serializeAttachment(a);
      } catch {
        // Socket already gone; the in-memory mark suffices.
      }
    }
    try {
      ws.close(code, reason);
    } catch {
      // Already closing.
    }
  }

  /**
   * The client's socket is gone. With no other socket open, start the grace period; plain
   * sessions fail calls the client may have received (at-most-once), resume sessions keep them.
   */
  #socketGone(ws: WebSocket): void {
    if (this.#socket === ws) this.#socket = undefined;
    if (this.#openSockets().some((other) => other !== ws)) return;
    this.#startGrace();
    const session = this.#session;
    if (!session || session.channel) return;
    for (const [callId, p] of this.#pending) {
      if (p.session === session && p.transmitted) this.#settle(callId, p, disconnected('Connection lost during call', p.instanceName));
    }
  }

  #startGrace(): void {
    this.ctx.storage
      .setAlarm(Date.now() + this.#config.gracePeriodMs)
      .catch((e: unknown) => this.#logs.alarm.error('setAlarm failed', { error: String(e) }));
  }

  /** The open socket frames go to; a socket whose heartbeat went stale is treated as gone (grace starts). */
  #liveSocket(): WebSocket | undefined {
    const ws = this.#openSockets()[0];
    if (!ws || !isSocketStale(this.ctx, ws, Date.now(), this.#config.heartbeatStaleAfterMs)) return ws;
    this.#logs.webSocketClose.warn('socket heartbeat stale, treated as gone (closing 4408)', { instanceName: this.#attachment(ws)?.instanceName });
    this.#currentSession([ws]);
    this.#endSocket(ws, 4408, 'Heartbeat stale');
    this.#socketGone(ws);
    return undefined;
  }

  #instanceName(ws: WebSocket | undefined): string {
    return (ws && this.#attachment(ws)?.instanceName) ?? this.ctx.id.name ?? '';
  }

  /** True when `count` more frames (default one) of `bytes` would pass the outbox limits (frames + owed answers, bytes). */
  #full(channel: DurableChannel, bytes: number, count = 1): boolean {
    return channel.unackedCount + channel.owedCount + count > this.#config.maxUnackedFrames || channel.unackedBytes + bytes > this.#config.maxUnackedBytes;
  }

  #outboxFull(what: string, channel: DurableChannel, instanceName: string): OutboxFullError {
    return new OutboxFullError(what, instanceName, channel.unackedCount, channel.unackedBytes, this.#config.maxUnackedFrames, this.#config.maxUnackedBytes);
  }

  /** The client holds too much unacknowledged: close 1008; it resumes from its last ack (a replay it acknowledges). */
  #closeOverfull(ws: WebSocket, channel: DurableChannel, instanceName: string): void {
    this.#logs.webSocketMessage.warn('client not acknowledging, closing 1008', { instanceName, unackedFrames: channel.unackedCount, unackedBytes: channel.unackedBytes });
    this.#endSocket(ws, 1008, 'Too many unacknowledged frames');
    this.#socketGone(ws);
  }

  #sendAck(ws: WebSocket, session: GatewaySession): void {
    if (!session.channel) return;
    session.channel.flush();
    safeSend(ws, JSON.stringify({ type: ACK_FRAME_TYPE, ack: session.channel.received }));
    session.lastAckSent = session.channel.received;
  }
}

/** Sends when the socket still takes frames; false otherwise (the frame stays owed, or is logged by the caller). */
function safeSend(ws: WebSocket, text: string): boolean {
  try {
    ws.send(text);
    return true;
  } catch {
    return false;
  }
}

/** Appends `"result":<resultText>` to a JSON object's text (unchanged without resultText). */
function withResult(objectText: string, resultText: string | undefined): string {
  return resultText === undefined ? objectText : `${objectText.slice(0, -1)},"result":${resultText}}`;
}

/**
 * A callee's reply, checked before any of it reaches a client frame: `$result` as text must be
 * exactly one intermediate's JSON, as a value an intermediate; `$error` an intermediate. Returns
 * the reply, or what is wrong with it.
 */
function checkReply(result: CallResult | TextCallResult, binding: string): CallResult | TextCallResult | string {
  const from = `The callee '${binding}' answered with an invalid`;
  if (result.$error !== undefined) return isSerializedValue(result.$error) ? result : `${from} error (not a serialized value); the call may have run`;
  const value: unknown = result.$result;
  if (typeof value === 'string') {
    const problem = intermediateTextProblem(value);
    return problem === undefined ? result : `${from} result (${problem}); the call may have run`;
  }
  return isSerializedValue(value) ? result : `${from} result (not a serialized value); the call may have run`;
}

/** A client's answer that cannot be forwarded: logged, and the caller gets a clear error instead. */
function invalidAnswer(log: DebugLogger, p: PendingIncoming, callId: string, problem: string): CallResult {
  const message = `Client '${p.instanceName}' sent an invalid answer to call ${callId}: ${problem}`;
  log.warn('invalid incoming_call_response answered as an error', { callId, instanceName: p.instanceName, problem });
  return encodeError(new InvalidPeerResultError(message));
}

function errorResponse(callId: string, error: Error): Record<string, unknown> {
  return { type: 'call_response', callId, success: false, error: encodeError(error).$error };
}

function disconnected(message: string, clientInstanceName: string): CallResult {
  return encodeError(new ClientDisconnectedError(message, clientInstanceName));
}
