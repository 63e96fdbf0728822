/**
 * The package's error classes. Each is a subclass of the built-in error the spec names
 * (`TypeError` or `RangeError`), so `instanceof TypeError` holds, with a stable `name` and `code`.
 */

/** Codes of `StructuredCloneEncodeError`. */
export type EncodeErrorCode = 'SYMBOL' | 'UNSUPPORTED_TYPE' | 'NATIVE_FETCH_OBJECT';

/**
 * Thrown by `stringify`/`preprocess` for a value they cannot encode (a symbol, a native
 * `Request`, a `Blob`...). The message names the type and the path (`.user.tags[2]`).
 *
 * @example try { stringify(Symbol()) } catch (e) { e instanceof StructuredCloneEncodeError }
 */
export class StructuredCloneEncodeError extends TypeError {
  override name = 'StructuredCloneEncodeError';
  readonly code: EncodeErrorCode;
  /** Where the offending value sits, e.g. `.user.tags[2]` (empty string for the root). */
  readonly path: string;
  constructor(code: EncodeErrorCode, message: string, path: string) {
    super(path === '' ? `${message} (at the root)` : `${message} (at ${path})`);
    this.code = code;
    this.path = path;
  }
}

/** Codes of `StructuredCloneDecodeError`. */
export type DecodeErrorCode = 'BAD_SHAPE' | 'BAD_ENTRY' | 'UNKNOWN_TAG' | 'BAD_REFERENCE' | 'BAD_VALUE' | 'BAD_PAYLOAD' | 'NOT_LOADED';

/**
 * Thrown by `parse`/`postprocess` for malformed or hostile input, before any value is returned.
 * The message names the table index and tag and quotes at most 100 characters of input.
 *
 * @example try { postprocess({ root: ['$lmz', 9], objects: [] }) } catch (e) { e.code === 'BAD_REFERENCE' }
 */
export class StructuredCloneDecodeError extends TypeError {
  override name = 'StructuredCloneDecodeError';
  readonly code: DecodeErrorCode;
  constructor(code: DecodeErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * Thrown by `RequestSync`/`ResponseSync` constructors for an invalid init (relative URL,
 * forbidden method, body with GET/HEAD or a null-body status, unknown enum value, native input).
 *
 * @example try { new RequestSync('/relative') } catch (e) { e instanceof TypeError }
 */
export class FetchSyncTypeError extends TypeError {
  override name = 'FetchSyncTypeError';
  readonly code = 'INVALID_INIT';
}

/**
 * Thrown by `ResponseSync` for a status outside 200–599 or not an integer.
 *
 * @example try { new ResponseSync(null, { status: 600 }) } catch (e) { e instanceof RangeError }
 */
export class FetchSyncRangeError extends RangeError {
  override name = 'FetchSyncRangeError';
  readonly code = 'INVALID_STATUS';
}

/**
 * The most characters of untrusted input one error message may quote (spec §5). Header values are
 * never quoted at all: they may hold credentials.
 */
export const MAX_ECHO_CHARS = 100;

/** Renders at most {@link MAX_ECHO_CHARS} characters of untrusted input for an error message. */
export function snippet(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = JSON.stringify(value.length > MAX_ECHO_CHARS ? value.slice(0, MAX_ECHO_CHARS) : value);
  else if (Array.isArray(value)) text = `an array of length ${value.length}`;
  else if (value === null) text = 'null';
  else if (typeof value === 'object') text = 'an object';
  else if (typeof value === 'number' || typeof value === 'boolean') text = String(value);
  else text = `a ${typeof value}`;
  return text.length > MAX_ECHO_CHARS ? `${text.slice(0, MAX_ECHO_CHARS - 3)}...` : text;
}
