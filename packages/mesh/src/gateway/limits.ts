/**
 * The gateway's limits, as static fields a subclass overrides (`static override gracePeriodMs = …`);
 * the gateway reads them from its own class, so each subclass gets its own values.
 */
import { DurableObject } from 'cloudflare:workers';
import { MAX_FRAME_BYTES } from '../client/frames.ts';

/** Largest gateway → client frame: under SQLite's 8 MiB value limit (and the 32 MiB message limit). */
export const MAX_OUTBOUND_FRAME_BYTES = 8_000_000;
/** A socket whose last heartbeat answer is older than this is treated as gone (client pings every ~9 s). */
export const HEARTBEAT_STALE_AFTER_MS = 30_000;

/** Base of LumenizeClientGateway: the limits only. */
export abstract class GatewayLimits<Env = Cloudflare.Env> extends DurableObject<Env> {
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

}
