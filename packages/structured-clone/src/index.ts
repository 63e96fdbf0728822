/**
 * @lumenize/structured-clone: rich-type serialization with cycles, aliases, errors and
 * RequestSync/ResponseSync, synchronous, with no runtime dependencies, safe on hostile input.
 * Guide: docs/structured-clone.md.
 */
export { stringify, parse } from './json.ts';
export { preprocess } from './preprocess.ts';
export { postprocess } from './postprocess.ts';
export { postprocessLoaded } from './loaded.ts';
export { TRANSFORM_SKIP } from './transform.ts';
export { registerErrorClass } from './error-classes.ts';
export { RequestSync } from './request-sync.ts';
export { ResponseSync } from './response-sync.ts';
export {
  encodeRequestSync,
  decodeRequestSync,
  encodeResponseSync,
  decodeResponseSync,
  type EncodedRequestSync,
  type EncodedResponseSync,
} from './sync-codec.ts';
export {
  StructuredCloneEncodeError,
  StructuredCloneDecodeError,
  FetchSyncTypeError,
  FetchSyncRangeError,
  type EncodeErrorCode,
  type DecodeErrorCode,
} from './errors.ts';
export type {
  LmzIntermediate,
  PreprocessOptions,
  PreprocessTransform,
  PreprocessContext,
  PathElement,
  SerializableBody,
  RequestSyncInit,
  ResponseSyncInit,
  HeadersSyncInit,
  RequestSyncCredentials,
  RequestSyncMode,
  RequestSyncCache,
  RequestSyncRedirect,
  RequestSyncReferrerPolicy,
  ResponseSyncType,
} from './types.ts';
