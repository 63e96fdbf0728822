/**
 * The error a caller gets instead of a peer's broken answer (see intermediate-text.ts). Registered
 * with structured-clone, so clients receive the same class. Runtime-neutral.
 */
import { registerErrorClass } from '@lumenize/structured-clone';

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
registerErrorClass(InvalidPeerResultError);
