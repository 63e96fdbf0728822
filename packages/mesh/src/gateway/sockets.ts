/**
 * The gateway's client sockets (hibernation API): which are open, their attachments (cached in
 * memory, read back from the socket after hibernation), and closing one from our side.
 */
import { readAttachment, type GatewayAttachment } from './attachment.ts';
import { isSocketStale } from './heartbeat.ts';

/** Open sockets and attachments of one gateway instance. */
export class GatewaySockets {
  #ctx: DurableObjectState;
  #attachments = new WeakMap<WebSocket, GatewayAttachment>();
  /** The client's live socket; empty after hibernation or a close, then re-derived from ctx.getWebSockets(). */
  #live: WebSocket | undefined;
  /** The socket last found not stale, and the clock value then ({@link stale}). */
  #fresh: { ws: WebSocket; now: number } | undefined;

  constructor(ctx: DurableObjectState) {
    this.#ctx = ctx;
  }

  /** Accepts a new server end with its attachment (stored on the socket, survives hibernation). */
  accept(server: WebSocket, attachment: GatewayAttachment): void {
    this.#ctx.acceptWebSocket(server);
    this.#live = server;
    this.#attachments.set(server, attachment);
    server.serializeAttachment(attachment);
  }

  /**
   * Sockets that are open (a socket we closed reports CLOSING and no longer counts). The cached live
   * socket answers the per-call lookups; `all` (and an empty cache) asks the runtime.
   */
  open(all = false): WebSocket[] {
    const live = this.#live;
    if (!all && live && live.readyState === WebSocket.OPEN && !this.attachment(live)?.ended) return [live];
    const open = this.#ctx.getWebSockets().filter((ws) => ws.readyState === WebSocket.OPEN && !this.attachment(ws)?.ended);
    this.#live = open[0];
    return open;
  }

  /**
   * True when `ws`'s heartbeat went stale (heartbeat.ts). Checked once per socket and clock value:
   * the runtime's clock stands still within a turn, so the answers of one turn (a whole batch)
   * share one check.
   */
  stale(ws: WebSocket, staleAfterMs: number): boolean {
    const now = Date.now();
    if (this.#fresh?.ws === ws && this.#fresh.now === now) return false;
    if (isSocketStale(this.#ctx, ws, now, staleAfterMs)) return true;
    this.#fresh = { ws, now };
    return false;
  }

  attachment(ws: WebSocket): GatewayAttachment | undefined {
    let a = this.#attachments.get(ws);
    if (!a) {
      a = readAttachment(ws);
      if (a) this.#attachments.set(ws, a);
    }
    return a;
  }

  /** The socket is gone: it is no longer the live one. */
  forget(ws: WebSocket): void {
    if (this.#live === ws) this.#live = undefined;
  }

  /** Closes a socket from our side and marks it so its close event is ignored. */
  end(ws: WebSocket, code: number, reason: string): void {
    this.forget(ws);
    const a = this.attachment(ws);
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
}
