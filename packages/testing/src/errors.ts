/** Error classes of @lumenize/testing: each has a stable `name` and a `code` callers can branch on. */

/** `createTestingClient` or `Browser` used outside the Workers vitest pool without live-mode overrides. */
export class TestingEnvironmentError extends Error {
  override readonly name = 'TestingEnvironmentError';
  readonly code = 'NOT_IN_WORKERD';
}

/** `instrumentDOProject` could not decide which classes to wrap, or was given a bad config. */
export class InstrumentationError extends Error {
  override readonly name = 'InstrumentationError';
  constructor(
    readonly code: 'NO_CLASS_EXPORTS' | 'MULTIPLE_CLASS_EXPORTS' | 'CLASS_NOT_FOUND' | 'BAD_CONFIG',
    message: string,
  ) {
    super(message);
  }
}

/** The Worker answered an RPC request with a non-RPC error response (unknown binding, bad instance, guard). */
export class RpcRouteError extends Error {
  override readonly name = 'RpcRouteError';
  readonly code = 'RPC_ROUTE_FAILED';
  constructor(
    /** HTTP status of the Worker's answer (404, 400, 401, …). */
    readonly status: number,
    /** The answer's body text, e.g. the `MissingInstanceNameError` message. */
    readonly body: string,
    url: string,
  ) {
    super(`RPC request to ${url} failed with HTTP ${status}: ${body || '(empty body)'}`);
  }
}

/** A fault-harness call that cannot do what it was asked (bad argument, DO not instrumented). */
export class HarnessError extends Error {
  override readonly name = 'HarnessError';
  constructor(
    readonly code: 'NOT_INSTRUMENTED' | 'BAD_ARGUMENT' | 'RUNAWAY_ALARMS' | 'NOT_OPEN',
    message: string,
  ) {
    super(message);
  }
}
