/**
 * The gateway end of the client heartbeat (docs/mesh-clients.md "Failure modes"). The runtime's
 * WebSocket auto-response answers the client's ping with the pong while the gateway sleeps, so an
 * idle, healthy connection costs no wake-ups, and it records per socket when it last answered,
 * which tells the gateway whether a socket is still alive without any traffic of its own.
 */
import { HEARTBEAT_PING, HEARTBEAT_PONG } from '../client/heartbeat.ts';

export { HEARTBEAT_PING, HEARTBEAT_PONG };

/**
 * Registers the ping → pong auto-response (one pair per DO; call in the constructor).
 * @example constructor(ctx, env) { super(ctx, env); installHeartbeat(ctx); }
 */
export function installHeartbeat(ctx: DurableObjectState): void {
  ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(HEARTBEAT_PING, HEARTBEAT_PONG));
}

/**
 * True for a heartbeat ping that reached `webSocketMessage` (the auto-response normally takes it):
 * the gateway drops it; it is not a protocol frame.
 */
export function isHeartbeatPing(message: string | ArrayBuffer): boolean {
  return message === HEARTBEAT_PING;
}

/**
 * True when the runtime last answered a ping on `ws` more than `staleAfterMs` before `now` (epoch
 * ms): the client has stopped pinging, so the socket is probably half-open and frames sent into it
 * would wait for a reconnect. False when no ping was ever answered on it (a peer that does not
 * heartbeat cannot be judged, and a new socket has not had time to ping).
 * @example if (isSocketStale(this.ctx, ws, Date.now(), 20_000)) waitForReconnect();
 */
export function isSocketStale(ctx: DurableObjectState, ws: WebSocket, now: number, staleAfterMs: number): boolean {
  const last = ctx.getWebSocketAutoResponseTimestamp(ws);
  if (last === null) return false;
  return now - last.getTime() > staleAfterMs;
}
