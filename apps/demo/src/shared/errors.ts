/**
 * The demo's errors. Registered with structured-clone under fixed names, so a DocumentDO throw
 * reaches the browser as the same class (`instanceof` works, `code` survives).
 * @example if (error instanceof EditRejectedError && error.code === 'stale_base') resync();
 */
import { registerErrorClass } from '@lumenize/structured-clone';
import { InvalidTextOpError } from './text-op.ts';

/** A call without a signed-in user behind it (no `callContext.originAuth`). */
export class SignInRequiredError extends Error {
  readonly code = 'sign_in_required';
  constructor(what: string) {
    super(`${what} needs a signed-in user: connect through the gateway with a valid access token`);
    this.name = 'SignInRequiredError';
  }
}

/** Why an edit was refused; the client resynchronizes on `stale_base` and `ahead`. */
export type EditRejectedCode = 'stale_base' | 'ahead' | 'too_long' | 'bad_request';

/** An edit the DocumentDO refused; the document is unchanged. */
export class EditRejectedError extends Error {
  readonly code: EditRejectedCode;
  constructor(code: EditRejectedCode, message: string) {
    super(message);
    this.name = 'EditRejectedError';
    this.code = code;
  }
}

/** A bad argument to a registry call (title, topic). */
export class InvalidRequestError extends Error {
  readonly code = 'invalid_request';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRequestError';
  }
}

registerErrorClass(SignInRequiredError, 'SignInRequiredError');
registerErrorClass(EditRejectedError, 'EditRejectedError');
registerErrorClass(InvalidRequestError, 'InvalidRequestError');
registerErrorClass(InvalidTextOpError, 'InvalidTextOpError');

export { InvalidTextOpError };
