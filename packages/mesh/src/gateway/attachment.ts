/**
 * What a gateway socket carries across hibernation (mesh spec §4.11). Resume counters and
 * unacknowledged frames live in SQLite instead (gateway/outbox.ts): attachments die with the socket.
 */

/** Serialized into each accepted gateway socket. */
export interface GatewayAttachment {
  userId: string;
  claims?: Record<string, unknown>;
  /** Token expiry, seconds since the epoch. */
  tokenExp?: number;
  connectedAt: number;
  instanceName: string;
  bindingName: string;
  /** Resume session id when the client negotiated gap-free resume. */
  sessionId?: string;
  /** The client reads and sends `batch` frames (docs/mesh-clients.md "Batching"). */
  batch?: true;
  /** The compact wire's version when the client offered it (docs/mesh-clients.md "Wire format"). */
  wire?: 2;
  /**
   * Set when the gateway itself closed this socket (4409, 4401, 1009, 1002): its later close event
   * is ignored, because the gateway already did the bookkeeping (or, for 4409, must not start grace).
   */
  ended?: true;
}

/** Reads an attachment back, refusing anything that is not one of ours. */
export function readAttachment(ws: WebSocket): GatewayAttachment | undefined {
  const a = ws.deserializeAttachment() as GatewayAttachment | null | undefined;
  if (!a || typeof a !== 'object' || typeof a.userId !== 'string' || typeof a.instanceName !== 'string') return undefined;
  return a;
}
