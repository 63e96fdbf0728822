/**
 * The client's frame-size check: a frame over {@link MAX_FRAME_BYTES} is refused before it reaches
 * the socket (the gateway would close the connection for it), as a {@link FrameTooLargeError}.
 */
import { FrameTooLargeError } from './frame-too-large-error.ts';
import { MAX_FRAME_BYTES, utf8Length } from './frames.ts';

/** Room for the resume fields (`seq`, `ack`) added to a frame body after the check. */
const RESUME_FIELDS_BYTES = 64;

/**
 * A FrameTooLargeError when `body` plus the resume fields exceeds the limit, else undefined.
 * @example const refused = oversizeFrame(body, 'this call'); if (refused) reject(refused);
 */
export function oversizeFrame(body: string, what: string): FrameTooLargeError | undefined {
  // A UTF-16 code unit is at most 3 UTF-8 bytes: short frames need no byte count.
  if (body.length * 3 + RESUME_FIELDS_BYTES <= MAX_FRAME_BYTES) return undefined;
  const size = utf8Length(body) + RESUME_FIELDS_BYTES;
  return size > MAX_FRAME_BYTES ? new FrameTooLargeError(what, size, MAX_FRAME_BYTES) : undefined;
}
