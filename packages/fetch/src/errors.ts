/**
 * Errors of @lumenize/fetch. Each is registered with structured-clone so `instanceof` holds after
 * a serialized error is revived (the watchdog's timeout travels through storage as text).
 */
import { registerErrorClass } from '@lumenize/structured-clone';

/**
 * The watchdog fired before a result arrived: the upstream request may have fully or partially
 * executed (`ambiguous: true`). Check the external system, or use an idempotency key, before
 * retrying a non-idempotent operation. Docs: docs/fetch.md#ambiguous-timeouts.
 * @example if (result instanceof FetchTimeoutError) this.svc.fetch.proxy(url, this.ctn().retry(), { idempotencyKey });
 */
export class FetchTimeoutError extends Error {
  override name = 'FetchTimeoutError';
  readonly ambiguous = true as const;
  readonly reqId: string;
  readonly url: string;

  constructor(reqId: string, url: string) {
    super(
      `Fetch timeout: no result for request ${reqId} (${url}) before the watchdog fired. The external request may have fully or partially executed; check the external system (or use an idempotency key) before retrying a non-idempotent operation`,
    );
    this.reqId = reqId;
    this.url = url;
  }
}

/** Codes of {@link FetchIdempotencyError}. */
export type FetchIdempotencyCode = 'IDEMPOTENCY_KEY_IN_FLIGHT';

/**
 * A proxy with an idempotency key whose earlier request is still pending: nothing was sent or
 * stored; wait for the first handler (or its timeout) and retry then.
 */
export class FetchIdempotencyError extends Error {
  override name = 'FetchIdempotencyError';
  readonly code: FetchIdempotencyCode;
  readonly idempotencyKey: string;

  constructor(code: FetchIdempotencyCode, idempotencyKey: string, message: string) {
    super(message);
    this.code = code;
    this.idempotencyKey = idempotencyKey;
  }
}

/** `executeFetch` refused: the caller is not the origin DO the message names. Nothing was fetched. */
export class FetchAuthorizationError extends Error {
  override name = 'FetchAuthorizationError';
  readonly code = 'FETCH_CALLER_REFUSED' as const;
}

registerErrorClass(FetchTimeoutError);
registerErrorClass(FetchIdempotencyError);
registerErrorClass(FetchAuthorizationError);
