/**
 * The error a caller gets instead of a peer's broken answer (see intermediate-text.ts). Registered
 * with structured-clone, so clients receive the same class (or, until they load it, its stand-in:
 * error-shells.ts). Runtime-neutral.
 */
// First: the stand-in registers before the real class below replaces it.
import './error-shells.ts';
import { registered } from '../error-stand-ins.ts';
import { InvalidPeerResultError as InvalidPeerResultErrorClass } from './error-classes.ts';

/**
 * A result or error that a peer (a client answering through its gateway, or a callee) sent in a
 * form that cannot be forwarded. It reaches the caller instead of the broken value.
 * @example catch (e) { if (e instanceof InvalidPeerResultError) showError('The other side answered garbage'); }
 */
export const InvalidPeerResultError = /* @__PURE__ */ registered(InvalidPeerResultErrorClass);
export type InvalidPeerResultError = InvalidPeerResultErrorClass;
