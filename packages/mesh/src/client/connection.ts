/**
 * The client end of the gateway WebSocket (mesh spec §4.10 and docs/mesh-clients.md): connection
 * states, token refresh, reconnect with backoff and jitter, the bounded outbound queue, call
 * timeouts, close-code handling and the failure detectors (heartbeat, connect timeout, oversize
 * frames); sequence numbers, acks and batching live in reliable-link.ts. It moves serialized
 * frames; LumenizeClient adds continuations and call contexts.
 * Runs in browsers, Node and Bun: no platform-specific imports.
 */
import { debug } from '@lumenize/debug/lite'; // costs a flag check unless @lumenize/debug is loaded
import type { LmzIntermediate } from '@lumenize/structured-clone';
import { encodeError } from '../envelope.ts';
import { ClientDisconnectedError, LoginRequiredError } from '../errors.ts';
import { reconnectDelay } from './backoff.ts';
import { CallDeadlines } from './call-deadlines.ts';
import { offeredProtocols } from './config.ts';
import {
  BATCH_PROTOCOL,
  parseGatewayFrame,
  type GatewayInnerFrame,
  resumeProtocol,
  type CallResponseFrame,
  type ConnectionStatusFrame,
  type IncomingCallFrame,
} from './frames.ts';
import { oversizeFrame } from './frame-size.ts';
import { HEARTBEAT_PONG, Heartbeat } from './heartbeat.ts';
import { ReliableLink } from './reliable-link.ts';
import type { RenderCall, RenderedCall } from '../wire/call-frame.ts';
import { WIRE_PROTOCOL, WIRE_VERSION } from '../wire/frames.ts';
import { ClientNames } from '../wire/names.ts';
import { wireLogData } from './wire-describer.ts';
import { attach, detach, type SocketHandlers } from './socket-handlers.ts';
import { fetchAccessToken, isTokenExpired } from './token.ts';

/** Connection states of a LumenizeClient. */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

/** The answer a client gives to an incoming call. */
export type IncomingAnswer = { success: true; result: LmzIntermediate } | { success: false; error: LmzIntermediate };

/** What the connection needs from its owner. */
export interface ConnectionOptions {
  url: string;
  refresh: string | (() => Promise<string>);
  accessToken?: string;
  callTimeoutMs: number;
  heartbeatIntervalMs: number;
  pongTimeoutMs: number;
  connectTimeoutMs: number;
  WebSocket: typeof WebSocket;
  fetch: typeof fetch;
  onStateChange: (state: ConnectionState) => void;
  onLoginRequired: (error: LoginRequiredError) => void;
  onConnectionError: (error: Error) => void;
  /** After `connection_status` was handled and the queue flushed. */
  onConnected: (subscriptionsLost: boolean) => void;
  onIncomingCall: (frame: IncomingCallFrame) => Promise<IncomingAnswer>;
}

/** An outbound call from queueing until its answer. */
interface OutboundCall {
  callId: string;
  /** Frame body without resume fields (JSON text ending in `}`), or its renderer (wire/call-frame.ts). */
  body: string | RenderCall;
  /** The interned target id the last rendering defined (confirmed by the answer). */
  defines?: number;
  resolve: (result: CallResponseFrame) => void;
  reject: (error: Error) => void;
  /** `performance.now()` after which the call fails with `Call timed out`. */
  deadline: number;
  /** The gateway refused it unexecuted (token expired): safe to send again. */
  retryable?: boolean;
}

/** Most calls waiting for a connection; the next one fails with `Message queue full`. */
export const MAX_QUEUED_CALLS = 100;
/** Close codes the client itself uses. */
const CLOSE_NORMAL = 1000;
const CLOSE_SEQUENCE_GAP = 4002;
/** Our close code for a socket we gave up on (no pong, connect timeout, socket error, offline). */
const CLOSE_ABANDONED = 4000;

function randomSessionId(): string {
  return crypto.randomUUID();
}

/**
 * One logical connection to a gateway, surviving socket drops. Create it, then `start()`.
 * @example const conn = new ClientConnection(options); conn.start(); await conn.call(body);
 */
export class ClientConnection {
  #o: ConnectionOptions;
  #log = debug('lmz.mesh.LumenizeClient');
  /** Every frame in and out (decoded with `@lumenize/mesh/client/wire-log`); off unless enabled. */
  #wireLog = debug('lmz.mesh.LumenizeClient.wire');
  #state: ConnectionState = 'connecting';
  #ws: WebSocket | undefined;
  #token: string | undefined;
  #sessionId = randomSessionId();
  /** Seq/ack and batching of the reliable frames of this session. */
  #link = new ReliableLink({ write: (text) => this.#write(text), connected: () => this.#state === 'connected' });
  #queue: OutboundCall[] = [];
  /** Wire version the gateway agreed to on the current connection (1 until told otherwise). */
  #wire = 1;
  /** Interned call targets of this session (compact wire). */
  #names = new ClientNames();
  #inflight = new Map<string, OutboundCall>();
  #attempt = 0;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  /** Timeouts of the calls not yet answered (one timer for all). */
  #deadlines = new CallDeadlines<OutboundCall>((call) => this.#timeout(call));
  /** Bumped on every disconnect(): late async work of an older generation is ignored. */
  #generation = 0;
  #connecting = false;
  #connectTimer: ReturnType<typeof setTimeout> | undefined;
  #heartbeat: Heartbeat;

  constructor(options: ConnectionOptions) {
    this.#o = options;
    this.#token = options.accessToken;
    this.#heartbeat = new Heartbeat({
      intervalMs: options.heartbeatIntervalMs,
      pongTimeoutMs: options.pongTimeoutMs,
      send: (text) => this.#write(text),
      onDead: () => this.#abandon(`no pong within ${options.pongTimeoutMs} ms`),
    });
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /** Starts connecting (no-op while connected or connecting). */
  start(): void {
    if (this.#state === 'connected' || this.#connecting || this.#reconnectTimer !== undefined) return;
    if (this.#state === 'disconnected') {
      // A fresh start after disconnect(): a new session, so nothing of the old one is resumed.
      this.#sessionId = randomSessionId();
      this.#link.reset();
      this.#names.reset();
      this.#attempt = 0;
    }
    this.#setState(this.#state === 'reconnecting' ? 'reconnecting' : 'connecting');
    void this.#open();
  }

  /** The network may have changed (`online`, page visible): ping now if connected, else retry now. */
  networkHint(): void {
    if (this.#state === 'connected') this.#heartbeat.probe();
    else this.retryNow();
  }

  /** The browser reports the network gone (`offline`): the socket cannot be trusted, give it up. */
  networkLost(): void {
    if (this.#ws) this.#abandon('the browser went offline');
  }

  /** Retries at once when waiting to reconnect (browser `online`/`focus`/visible events). */
  retryNow(): void {
    if (this.#state !== 'reconnecting' || this.#reconnectTimer === undefined) return;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    void this.#open();
  }

  /** Closes with 1000, cancels timers and rejects every queued and in-flight call. */
  stop(error: Error = new Error('Client disconnected')): void {
    this.#generation++;
    this.#connecting = false;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    this.#link.stop();
    this.#stopDetectors();
    const ws = this.#ws;
    this.#ws = undefined;
    if (ws) {
      detach(ws);
      try {
        ws.close(CLOSE_NORMAL, 'Client disconnected');
      } catch {
        // Already closed.
      }
    }
    this.#failAll(error);
    this.#setState('disconnected');
  }

  /**
   * Sends a call frame (`body` without resume fields) and resolves with the gateway's
   * `call_response`. Queued while not connected; fails after `callTimeoutMs`.
   */
  call(callId: string, body: string | RenderCall): Promise<CallResponseFrame> {
    return new Promise<CallResponseFrame>((resolve, reject) => {
      if (this.#state === 'disconnected') {
        reject(new Error('Client disconnected'));
        return;
      }
      // Rendered once: when connected, the same rendering goes out below (same wire, same names).
      const rendered = typeof body === 'string' ? undefined : body(this.#wire, this.#names);
      const tooLarge = oversizeFrame(rendered?.body ?? (body as string), 'this call');
      if (tooLarge) {
        // Refused here, before the socket: the gateway would close the connection for it.
        reject(tooLarge);
        return;
      }
      const connected = this.#state === 'connected' && this.#ws !== undefined;
      if (!connected && this.#queue.length >= MAX_QUEUED_CALLS) {
        reject(new Error('Message queue full'));
        return;
      }
      const call: OutboundCall = { callId, body, resolve, reject, deadline: performance.now() + this.#o.callTimeoutMs };
      this.#deadlines.add(call);
      if (connected) this.#transmit(call, rendered);
      else this.#queue.push(call);
    });
  }

  // --- socket lifecycle ----------------------------------------------------------------------

  async #open(): Promise<void> {
    const generation = this.#generation;
    this.#connecting = true;
    try {
      if (this.#token === undefined || isTokenExpired(this.#token)) {
        this.#token = undefined;
        const token = await fetchAccessToken(this.#o.refresh, this.#o.fetch);
        if (generation !== this.#generation) return;
        this.#token = token;
      }
    } catch (error) {
      if (generation !== this.#generation) return;
      this.#connecting = false;
      if (error instanceof LoginRequiredError) {
        this.#loginRequired(error);
        return;
      }
      this.#o.onConnectionError(error instanceof Error ? error : new Error(String(error)));
      this.#scheduleReconnect();
      return;
    }
    this.#connecting = false;
    const protocols = [...offeredProtocols(this.#token!, resumeProtocol(this.#sessionId, this.#link.received)), BATCH_PROTOCOL, WIRE_PROTOCOL];
    let ws: WebSocket;
    try {
      ws = new this.#o.WebSocket(this.#o.url, protocols);
      if (typeof ws.addEventListener !== 'function') throw new TypeError('config.WebSocket did not construct a WebSocket (no addEventListener)');
    } catch (error) {
      this.#o.onConnectionError(error instanceof Error ? error : new Error(String(error)));
      this.#scheduleReconnect();
      return;
    }
    this.#ws = ws;
    this.#connectTimer = setTimeout(() => {
      this.#connectTimer = undefined;
      if (this.#ws === ws) this.#abandon(`connect attempt got no connection_status within ${this.#o.connectTimeoutMs} ms`);
    }, this.#o.connectTimeoutMs);
    const handlers: SocketHandlers = {
      open: () => {
        // Backoff resets after a successful open; the state changes only on connection_status.
        this.#attempt = 0;
      },
      message: (event) => {
        if (this.#ws === ws) this.#onMessage((event as MessageEvent).data);
      },
      error: () => {
        if (this.#ws !== ws) return;
        this.#o.onConnectionError(new Error('WebSocket error'));
        // Node 22 may never follow it with close (reset during the handshake): give the socket up.
        this.#abandon('socket error');
      },
      close: (event) => {
        if (this.#ws === ws) this.#onClose((event as CloseEvent).code, (event as CloseEvent).reason);
      },
    };
    attach(ws, handlers);
  }

  /** Gives up the socket without waiting for a close event (a half-open one never fires it); reconnects. */
  #abandon(why: string): void {
    const ws = this.#ws;
    if (!ws) return;
    this.#log.warn('giving up the socket', { why });
    detach(ws);
    try {
      ws.close(CLOSE_ABANDONED, 'Abandoned by client');
    } catch {
      // Already closing.
    }
    this.#onClose(1006, why);
  }

  #stopDetectors(): void {
    clearTimeout(this.#connectTimer);
    this.#connectTimer = undefined;
    this.#heartbeat.stop();
  }

  #onClose(code: number, reason: string): void {
    const ws = this.#ws;
    this.#ws = undefined;
    if (ws) detach(ws);
    this.#link.pause();
    this.#stopDetectors();
    this.#log.info('socket closed', { code, reason });
    if (code === 4400 || code === 4403) {
      this.#loginRequired(new LoginRequiredError(`Login required (close ${code}${reason ? `: ${reason}` : ''})`, code, reason));
      return;
    }
    if (code === 4409) {
      const error = new ClientDisconnectedError('Superseded by a newer connection with the same instance name');
      this.#o.onConnectionError(error);
      this.stop(error);
      return;
    }
    this.#setState('reconnecting');
    if (code === 4401) {
      // Token expired: refresh and reconnect at once.
      this.#token = undefined;
      void this.#open();
      return;
    }
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    this.#setState('reconnecting');
    const delay = reconnectDelay(this.#attempt++);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      void this.#open();
    }, delay);
  }

  #loginRequired(error: LoginRequiredError): void {
    this.stop(error);
    this.#o.onLoginRequired(error);
  }

  #setState(state: ConnectionState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#o.onStateChange(state);
  }

  // --- frames --------------------------------------------------------------------------------

  #onMessage(data: unknown): void {
    if (data === HEARTBEAT_PONG) {
      this.#heartbeat.pong();
      return;
    }
    if (this.#wireLog.enabled && typeof data === 'string') this.#wireLog.debug('frame in', wireLogData(data));
    const parsed = parseGatewayFrame(data);
    if (!parsed.ok) {
      this.#log.warn('malformed frame from gateway ignored', { reason: parsed.reason });
      return;
    }
    const frame = parsed.frame;
    if (frame.type === 'connection_status') {
      this.#onStatus(frame);
      return;
    }
    const verdict = this.#link.receive(frame);
    if (verdict === 'duplicate') return;
    if (verdict === 'gap') {
      this.#log.warn('sequence gap from gateway; reconnecting to resync', { seq: frame.seq, expected: this.#link.received + 1 });
      this.#ws?.close(CLOSE_SEQUENCE_GAP, 'Sequence gap');
      return;
    }
    if (frame.type === 'batch') {
      for (const r of frame.refused) this.#log.warn('malformed frame in a batch from gateway ignored', r);
      for (const inner of frame.frames) this.#onInner(inner);
    } else if (frame.type === 'call_response' || frame.type === 'incoming_call') this.#onInner(frame);
  }

  #onInner(frame: GatewayInnerFrame): void {
    if (frame.type === 'call_response') this.#onCallResponse(frame);
    else void this.#onIncomingCall(frame);
  }

  #onStatus(frame: ConnectionStatusFrame): void {
    const ws = this.#ws;
    if (!ws) return;
    clearTimeout(this.#connectTimer);
    this.#connectTimer = undefined;
    this.#heartbeat.start();
    this.#link.batching = frame.batch === true;
    this.#wire = frame.wire === WIRE_VERSION ? WIRE_VERSION : 1;
    this.#link.compact = this.#wire === WIRE_VERSION;
    if (frame.resumed === true) {
      // Same session: resend what the gateway has not acknowledged, in order.
      this.#link.resend(frame.ack ?? 0);
    } else {
      // A new session at the gateway: calls it may have run can no longer be answered.
      const retry: OutboundCall[] = [];
      for (const call of this.#inflight.values()) {
        if (call.retryable) retry.push(call);
        else {
          this.#deadlines.delete(call);
          call.reject(new ClientDisconnectedError('Connection lost before a response arrived'));
        }
      }
      this.#inflight.clear();
      this.#link.reset();
      this.#names.reset();
      this.#queue.unshift(...retry);
    }
    this.#setState('connected');
    const queued = this.#queue.splice(0);
    for (const call of queued) this.#transmit(call);
    this.#o.onConnected(frame.subscriptionsLost);
  }

  #onCallResponse(frame: CallResponseFrame): void {
    const call = this.#inflight.get(frame.callId);
    if (!call) {
      this.#log.warn('call_response for an unknown call ignored', { callId: frame.callId });
      return;
    }
    if (frame.retryable) {
      // Not executed (token expired): it is re-sent after the refresh-reconnect.
      call.retryable = true;
      return;
    }
    this.#inflight.delete(frame.callId);
    this.#deadlines.delete(call);
    // The gateway read (and stored) the target this call defined: later calls send only its id.
    if (call.defines) this.#names.confirm(call.defines);
    call.resolve(frame);
  }

  async #onIncomingCall(frame: IncomingCallFrame): Promise<void> {
    const answer = await this.#o.onIncomingCall(frame);
    if (this.#state === 'disconnected') {
      // Disconnected for good while the method ran: the caller's gateway fails the call at grace end.
      return this.#log.warn('answer to an incoming call dropped: the client was disconnected', { callId: frame.callId });
    }
    let body = JSON.stringify({ type: 'incoming_call_response', callId: frame.callId, ...answer });
    const tooLarge = oversizeFrame(body, 'the answer to this incoming call');
    if (tooLarge) {
      // Sent, it would get the socket closed again after every reconnect: the caller gets the error.
      this.#log.warn('answer too large, sending an error instead', { callId: frame.callId, size: tooLarge.size });
      body = JSON.stringify({ type: 'incoming_call_response', callId: frame.callId, success: false, error: encodeError(tooLarge).$error });
    }
    this.#link.send(body);
  }

  /** Sends a call; `rendered`: its frame as rendered for the current connection in this same step. */
  #transmit(call: OutboundCall, rendered?: RenderedCall): void {
    this.#inflight.set(call.callId, call);
    call.retryable = undefined;
    if (typeof call.body === 'string') this.#link.send(call.body);
    else {
      const { body, defines, rest } = rendered ?? call.body(this.#wire, this.#names);
      call.defines = defines;
      this.#link.send(body, rest);
    }
  }

  /**
   * Sends on the current socket when it is open. A frame that cannot go out now is not lost:
   * reliable frames stay in the channel and are re-sent after the reconnect.
   */
  #write(text: string): void {
    const ws = this.#ws;
    if (!ws || ws.readyState !== 1) return;
    if (this.#wireLog.enabled && text.startsWith('{')) this.#wireLog.debug('frame out', wireLogData(text));
    try {
      ws.send(text);
    } catch (error) {
      this.#log.debug('send failed; frame will be re-sent after reconnect', { error });
    }
  }

  #timeout(call: OutboundCall): void {
    const i = this.#queue.indexOf(call);
    if (i >= 0) this.#queue.splice(i, 1);
    this.#inflight.delete(call.callId);
    call.reject(new Error('Call timed out'));
  }

  #failAll(error: Error): void {
    const all = [...this.#queue.splice(0), ...this.#inflight.values()];
    this.#inflight.clear();
    this.#deadlines.clear();
    for (const call of all) call.reject(error);
  }
}
