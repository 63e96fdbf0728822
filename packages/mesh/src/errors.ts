/**
 * Mesh error classes, registered with structured-clone so they cross every transport as the same
 * class (`instanceof` and extra fields intact). Runtime-neutral.
 */
import { registerErrorClass } from '@lumenize/structured-clone';

/**
 * The target client is not connected, did not reconnect within the grace period, timed out, or
 * lost its socket mid-call.
 * @example if (e instanceof ClientDisconnectedError) forget(e.clientInstanceName);
 */
export class ClientDisconnectedError extends Error {
  clientInstanceName?: string;
  constructor(message = 'Client is not connected', clientInstanceName?: string) {
    super(message);
    this.name = 'ClientDisconnectedError';
    if (clientInstanceName !== undefined) this.clientInstanceName = clientInstanceName;
  }
}

/**
 * The client must log in again (close 4400/4403, or the refresh endpoint refused).
 * @example onLoginRequired: (e) => location.assign('/login?code=' + e.code)
 */
export class LoginRequiredError extends Error {
  code: number;
  reason: string;
  constructor(message: string, code: number, reason: string) {
    super(message);
    this.name = 'LoginRequiredError';
    this.code = code;
    this.reason = reason;
  }
}

/**
 * The gateway refused a client call because the user exceeded the per-user message budget.
 * @example if (e instanceof RateLimitedError) retryIn(e.retryAfterSeconds ?? 1);
 */
export class RateLimitedError extends Error {
  retryAfterSeconds?: number;
  constructor(message = 'Rate limit exceeded', retryAfterSeconds?: number) {
    super(message);
    this.name = 'RateLimitedError';
    if (retryAfterSeconds !== undefined) this.retryAfterSeconds = retryAfterSeconds;
  }
}

registerErrorClass(ClientDisconnectedError);
registerErrorClass(LoginRequiredError);
registerErrorClass(RateLimitedError);
