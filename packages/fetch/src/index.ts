/**
 * @lumenize/fetch — external HTTP from a Durable Object off the DO's clock (`proxy`) or from the DO
 * itself (`direct`), each handler called exactly once. Importing it registers `this.svc.fetch`.
 * Guide: docs/fetch.md. Spec: fetch.md.
 */
import { NadisPlugin } from '@lumenize/mesh';
import { Fetch } from './fetch-service.ts';

export { Fetch };
export { FetchExecutorEntrypoint } from './executor.ts';
export { FetchTimeoutError, FetchIdempotencyError, FetchAuthorizationError, type FetchIdempotencyCode } from './errors.ts';
export type { ProxyFetchWorkerOptions, DirectFetchOptions, FetchMessage, FetchTestMode } from './types.ts';
export {
  DEFAULT_TIMEOUT_MS,
  DEFAULT_WATCHDOG_GRACE_MS,
  DEFAULT_EXECUTOR_BINDING,
  DEFAULT_IDEMPOTENCY_TTL_MS,
  MAX_IDEMPOTENCY_TTL_MS,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  MAX_IDEMPOTENT_RESULT_CHARS,
  MAX_HANDOFF_BATCH,
  IDEMPOTENCY_HEADER,
} from './limits.ts';

NadisPlugin.register('fetch', Fetch);
