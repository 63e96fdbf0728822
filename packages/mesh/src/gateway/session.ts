/**
 * A gateway's in-memory view of one client session: with gap-free resume, the durable channel
 * (counters and unacknowledged frames in SQLite, gateway/outbox.ts); for plain clients, the frames
 * that could not be sent while no socket was open. A session outlives a socket (reconnects within
 * the grace period continue it) and, with resume, a restart of the gateway.
 */
import type { DurableChannel } from './outbox.ts';
import { GatewayNames } from '../wire/names.ts';

/** One client session held by the gateway. */
export class GatewaySession {
  /** Resume session id; undefined for a client that did not negotiate resume (plain spec protocol). */
  readonly id: string | undefined;
  /** Sequence counters and unacknowledged frames (resume sessions only). */
  readonly channel: DurableChannel | undefined;
  /** Plain sessions: frames that could not be sent because no socket was open (sent on reconnect). */
  readonly waiting: string[] = [];
  /** Last cumulative ack we told the client, to decide when a standalone ack is due. */
  lastAckSent = 0;
  /** Compact wire: the session's interned call targets, stored with the session (loaded on first use). */
  #names: GatewayNames | undefined;

  constructor(channel: DurableChannel | undefined) {
    this.id = channel?.sessionId;
    this.channel = channel;
    if (channel) this.lastAckSent = channel.received;
  }

  /** The session's interned targets (compact wire); resume sessions only. */
  names(): GatewayNames | undefined {
    const channel = this.channel;
    if (!channel) return undefined;
    return (this.#names ??= new GatewayNames((id, t) => channel.storeName(id, t), channel.loadNames()));
  }

  /** True when this session can continue on a new connection offering `sessionId` (undefined = plain client). */
  continuesWith(sessionId: string | undefined): boolean {
    return this.id === sessionId;
  }
}
