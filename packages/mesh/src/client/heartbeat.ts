/**
 * Client heartbeat (docs/mesh-clients.md "Failure modes"): a half-open socket (Wi-Fi switch, laptop
 * sleep, a proxy that silently drops idle connections) never fires `close`, so the client pings on
 * an interval and gives the socket up when a pong does not come back in time. The gateway answers
 * pings with the runtime's WebSocket auto-response, so an idle, healthy connection never wakes it.
 * Pure code (timers only): runs in browsers, Node, Bun and workerd.
 *
 * @example const hb = new Heartbeat({ intervalMs: 9_000, pongTimeoutMs: 5_000, send, onDead }); hb.start();
 */

/**
 * The ping text frame. Not JSON, so no protocol frame (always a JSON object) can ever equal it, and
 * the runtime's exact-match auto-response can answer it without waking the gateway.
 */
export const HEARTBEAT_PING = 'lmz:ping';
/** The pong the gateway's auto-response sends back for {@link HEARTBEAT_PING}. Not JSON either. */
export const HEARTBEAT_PONG = 'lmz:pong';

/** Default time from a pong (or from `connected`) to the next ping. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 9_000;
/** Default time a ping may wait for its pong before the socket is declared dead. */
export const DEFAULT_PONG_TIMEOUT_MS = 5_000;
/**
 * Default bound on one connect attempt: from creating the socket to the gateway's
 * `connection_status`. An attempt that neither gets there nor closes is abandoned and retried.
 */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** What a heartbeat needs from its connection. */
export interface HeartbeatOptions {
  intervalMs: number;
  pongTimeoutMs: number;
  /** Writes the ping on the current socket (a failed write simply gets no pong). */
  send(text: string): void;
  /** No pong within `pongTimeoutMs`: the socket is dead. */
  onDead(): void;
}

/**
 * Pings one socket: a ping `intervalMs` after the last pong, dead when a pong takes longer than
 * `pongTimeoutMs`. A dead socket is therefore detected within `intervalMs + pongTimeoutMs`.
 * One timer at a time; `start()` again for the next socket.
 */
export class Heartbeat {
  #o: HeartbeatOptions;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #awaiting = false;
  #running = false;

  constructor(options: HeartbeatOptions) {
    this.#o = options;
  }

  /** Starts pinging a socket that just became connected (stops any previous round). */
  start(): void {
    this.stop();
    this.#running = true;
    this.#waitThenPing(this.#o.intervalMs);
  }

  /** Stops pinging (socket closed or abandoned, or the client disconnected). */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#awaiting = false;
    this.#running = false;
  }

  /** A pong arrived: the socket carries frames both ways. Unsolicited pongs are ignored. */
  pong(): void {
    if (!this.#running || !this.#awaiting) return;
    this.#awaiting = false;
    clearTimeout(this.#timer);
    this.#waitThenPing(this.#o.intervalMs);
  }

  /** Pings now instead of at the next interval (the network changed, the page became visible). */
  probe(): void {
    if (!this.#running || this.#awaiting) return;
    clearTimeout(this.#timer);
    this.#ping();
  }

  #waitThenPing(ms: number): void {
    this.#timer = setTimeout(() => this.#ping(), ms);
  }

  #ping(): void {
    this.#awaiting = true;
    this.#timer = setTimeout(() => {
      this.stop();
      this.#o.onDead();
    }, this.#o.pongTimeoutMs);
    this.#o.send(HEARTBEAT_PING);
  }
}
