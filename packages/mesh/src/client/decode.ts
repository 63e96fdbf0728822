/**
 * The client's decoders (issue 18 item 3): the envelope codec with structured-clone's
 * `postprocessLoaded`, which revives RequestSync/ResponseSync only when the application imports
 * them, so a client that never names those classes leaves their code out of its bundle. One that
 * receives one without importing it gets `StructuredCloneDecodeError` (code `NOT_LOADED`) naming the
 * class to import. Servers decode with `postprocess` (envelope.ts), which always has both.
 */
import { postprocessLoaded, type LmzIntermediate } from '@lumenize/structured-clone';
import { decodeCallResultWith, deserializeChainWith } from '../envelope.ts';
import type { OperationChain } from '../ocan/types.ts';

/** A reply's value, or throws its reconstructed error. */
export function clientDecodeCallResult(result: unknown): unknown {
  return decodeCallResultWith(postprocessLoaded, result);
}

/** An `incoming_call` frame's chain. */
export function clientDeserializeChain(data: LmzIntermediate): OperationChain {
  return deserializeChainWith(postprocessLoaded, data);
}

/** A value from a frame (an incoming call's state). */
export function clientDeserializeValue(data: LmzIntermediate): unknown {
  return postprocessLoaded(data);
}
