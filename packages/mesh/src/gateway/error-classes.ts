/**
 * The classes of the gateway's errors that reach clients and callers: the durable outbox's
 * (docs/mesh-clients.md "Durable outbox") and the broken-answer error. Import them from
 * outbox-errors.ts / invalid-peer-result-error.ts, which register them with structured-clone (this
 * module has no side effects, so a bundle that never uses a class leaves its code out; received
 * ones revive through error-shells.ts). Runtime-neutral (no platform imports).
 */

/** Stable `code` of {@link CallOutcomeUnknownError}. */
export const CALL_OUTCOME_UNKNOWN = 'CALL_OUTCOME_UNKNOWN';
/** Stable `code` of {@link OutboxFullError}. */
export const OUTBOX_FULL = 'OUTBOX_FULL';

/**
 * The gateway restarted (eviction, deploy, runtime restart) while it was forwarding this client
 * call, so its answer is lost: the call may or may not have run. Retry only if the call is safe to
 * repeat (idempotent), or read back the state it would have changed.
 * @example catch (e) { if (e instanceof CallOutcomeUnknownError) await reloadDocument(); }
 */
export class CallOutcomeUnknownError extends Error {
  code: typeof CALL_OUTCOME_UNKNOWN = CALL_OUTCOME_UNKNOWN;
  callId: string;
  constructor(callId: string) {
    super(
      `The outcome of call ${callId} is unknown: the gateway restarted while the call was in flight, so it may or may not have run. ` +
        'Retry it only if it is safe to repeat, or read back the state it would have changed.',
    );
    this.name = 'CallOutcomeUnknownError';
    this.callId = callId;
  }
}

/**
 * The gateway refused a frame for a client because the client already has `limit` unacknowledged
 * frames (or bytes) waiting: it is not keeping up (or not acknowledging). The gateway closes its
 * socket with 1008; the client resumes and acknowledges, after which new frames go through again.
 * @example catch (e) { if (e instanceof OutboxFullError) scheduleRetry(); }
 */
export class OutboxFullError extends Error {
  code: typeof OUTBOX_FULL = OUTBOX_FULL;
  clientInstanceName: string;
  constructor(what: string, clientInstanceName: string, frames: number, bytes: number, maxFrames: number, maxBytes: number) {
    super(
      `${what} was not sent to client '${clientInstanceName}': it already has ${frames} unacknowledged frames (${bytes} bytes) waiting, ` +
        `the limit is ${maxFrames} frames or ${maxBytes} bytes. The client is not acknowledging; retry after it resumes.`,
    );
    this.name = 'OutboxFullError';
    this.clientInstanceName = clientInstanceName;
  }
}

/**
 * A result or error that a peer (a client answering through its gateway, or a callee) sent in a
 * form that cannot be forwarded. It reaches the caller instead of the broken value.
 * @example catch (e) { if (e instanceof InvalidPeerResultError) showError('The other side answered garbage'); }
 */
export class InvalidPeerResultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPeerResultError';
  }
}
