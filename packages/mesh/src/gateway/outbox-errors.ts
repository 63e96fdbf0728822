/**
 * Errors of the gateway's durable outbox (docs/mesh-clients.md "Durable outbox"), registered with
 * structured-clone so they reach callers as the same class. Registration is a pure call per class
 * (src/error-stand-ins.ts): a client that only receives these errors keeps the stand-ins of
 * error-shells.ts instead of the classes. Runtime-neutral (no platform imports).
 */
// First: the stand-ins register before the real classes below replace them.
import './error-shells.ts';
import { registered } from '../error-stand-ins.ts';
import { CallOutcomeUnknownError as CallOutcomeUnknownErrorClass, OutboxFullError as OutboxFullErrorClass } from './error-classes.ts';

export { CALL_OUTCOME_UNKNOWN, OUTBOX_FULL } from './error-classes.ts';

/**
 * The gateway restarted (eviction, deploy, runtime restart) while it was forwarding this client
 * call, so its answer is lost: the call may or may not have run. Retry only if the call is safe to
 * repeat (idempotent), or read back the state it would have changed.
 * @example catch (e) { if (e instanceof CallOutcomeUnknownError) await reloadDocument(); }
 */
export const CallOutcomeUnknownError = /* @__PURE__ */ registered(CallOutcomeUnknownErrorClass);
export type CallOutcomeUnknownError = CallOutcomeUnknownErrorClass;

/**
 * The gateway refused a frame for a client because the client already has `limit` unacknowledged
 * frames (or bytes) waiting: it is not keeping up (or not acknowledging). The gateway closes its
 * socket with 1008; the client resumes and acknowledges, after which new frames go through again.
 * @example catch (e) { if (e instanceof OutboxFullError) scheduleRetry(); }
 */
export const OutboxFullError = /* @__PURE__ */ registered(OutboxFullErrorClass);
export type OutboxFullError = OutboxFullErrorClass;
