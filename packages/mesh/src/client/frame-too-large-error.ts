/**
 * The error a LumenizeClient gives for a frame over the size limit (docs/mesh-clients.md "Failure
 * modes"). The frame is refused before it reaches the socket, so only that call fails: the
 * connection and every other call are untouched. Registered with structured-clone, so a client
 * answer refused this way reaches the calling DO as the same class. Runtime-neutral.
 */
import { registerErrorClass } from '@lumenize/structured-clone';

/** Stable `code` of {@link FrameTooLargeError}. */
export const FRAME_TOO_LARGE = 'FRAME_TOO_LARGE';

/**
 * A call (or an answer to an incoming call) whose frame exceeds `limit` bytes of UTF-8 was not sent.
 * @example catch (e) { if (e instanceof FrameTooLargeError) toast(`Too large (max ${e.limit} bytes)`); }
 */
export class FrameTooLargeError extends Error {
  code: typeof FRAME_TOO_LARGE = FRAME_TOO_LARGE;
  /** Size of the refused frame in bytes of UTF-8 (at least; the resume fields are estimated). */
  size: number;
  /** The frame limit in bytes (`MAX_FRAME_BYTES`, 1 MiB). */
  limit: number;
  constructor(what: string, size: number, limit: number) {
    super(
      `Message too big: ${what} is ${size} bytes, over the frame limit of ${limit} bytes, so it was not sent ` +
        '(the connection and other calls are unaffected). Send less per call: split the data or store it elsewhere and pass a reference.',
    );
    this.name = 'FrameTooLargeError';
    this.size = size;
    this.limit = limit;
  }
}

registerErrorClass(FrameTooLargeError, 'FrameTooLargeError');
