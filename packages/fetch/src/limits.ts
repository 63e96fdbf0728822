/** Defaults and limits of @lumenize/fetch, as code. */

/** Default fetch timeout (ms). */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Default extra time after the timeout before the watchdog fires (ms). */
export const DEFAULT_WATCHDOG_GRACE_MS = 2_000;
/** Default executor binding. */
export const DEFAULT_EXECUTOR_BINDING = 'FETCH_EXECUTOR';
/** Default lifetime of an idempotency dedupe record (ms): 10 minutes. */
export const DEFAULT_IDEMPOTENCY_TTL_MS = 10 * 60_000;
/** Longest lifetime of an idempotency dedupe record (ms): 24 hours. */
export const MAX_IDEMPOTENCY_TTL_MS = 24 * 60 * 60_000;
/** Longest idempotency key (characters). */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
/** Largest serialized response kept in a dedupe record (chars); bigger ones are not kept. */
export const MAX_IDEMPOTENT_RESULT_CHARS = 1024 * 1024;
/**
 * Most hand-offs in one call to the executor (requests made in one turn share calls). Six, because
 * one Worker invocation may hold at most six outbound connections at once: more would queue
 * upstream requests behind each other inside the executor.
 */
export const MAX_HANDOFF_BATCH = 6;
/** Longest caller-supplied request id. */
export const MAX_REQ_ID_LENGTH = 128;
/** The work type under which results reach `LumenizeDO.__receiveResult`. */
export const WORK_TYPE = 'fetch';
/** KV prefix of pending records (owned by the mesh hook's naming). */
export const PENDING_PREFIX = `__lmz_${WORK_TYPE}_pending:`;
/** KV prefix of idempotency dedupe records. */
export const IDEMPOTENCY_PREFIX = '__lmz_fetch_idem:';
/** Alarm id of the one multiplexed watchdog (at the earliest pending deadline). */
export const WATCHDOG_ID = '__lmz_fetch_watchdog';
/** Alarm id of the one dedupe-record sweeper. */
export const IDEMPOTENCY_GC_ID = '__lmz_fetch_idem_gc';
/** The header an idempotency key travels in. */
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
