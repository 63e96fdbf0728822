/**
 * A gateway's in-memory view of one client session: the frames it owes the client and, with gap-free
 * resume, the sequence counters of both directions. A session outlives a socket (reconnects within
 * the grace period continue it) and is rebuilt from the socket attachment after hibernation.
 */
import { SeqChannel, type SeqChannelState } from '../client/seq-channel.ts';

/** One client session held by the gateway. */
export class GatewaySession {
  /** Resume session id; undefined for a client that did not negotiate resume (plain spec protocol). */
  readonly id: string | undefined;
  /** Sequence counters and unacknowledged frames (resume sessions only). */
  readonly channel: SeqChannel | undefined;
  /** Plain sessions: frames that could not be sent because no socket was open (sent on reconnect). */
  readonly waiting: string[] = [];
  /** Last cumulative ack we told the client, to decide when a standalone ack is due. */
  lastAckSent = 0;

  constructor(id: string | undefined, state?: SeqChannelState) {
    this.id = id;
    this.channel = id === undefined ? undefined : new SeqChannel(state);
    if (state) this.lastAckSent = state.received;
  }

  /** True when this session can continue on a new connection offering `sessionId` (undefined = plain client). */
  continuesWith(sessionId: string | undefined): boolean {
    return this.id === sessionId;
  }
}
