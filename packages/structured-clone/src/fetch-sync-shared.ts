/**
 * Pieces shared by RequestSync and ResponseSync: body storage and the synchronous body readers,
 * headers adoption, and the body-typing rule of `fromRequest`/`fromResponse` (spec §3.9).
 */
import { FetchSyncTypeError } from './errors.ts';
import { firstRefusedHeader } from './header-error.ts';
import type { SyncEntryAccess } from './sync-parts.ts';
import type { HeadersSyncInit } from './types.ts';

/** How a body is stored: text, bytes, an object or array, or nothing. */
export type StoredBody = string | ArrayBuffer | object | null;

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

function isPlainObjectOrArray(value: object): boolean {
  if (Array.isArray(value)) return true;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Validates and normalizes a body given to a constructor; views are copied into a new buffer. */
export function storeBody(body: unknown, who: string): StoredBody {
  if (body === undefined || body === null) return null;
  if (typeof body === 'string') return body;
  if (body instanceof ArrayBuffer) return body;
  if (ArrayBuffer.isView(body)) {
    return new Uint8Array(body.buffer, body.byteOffset, body.byteLength).slice().buffer as ArrayBuffer;
  }
  if (typeof body === 'object' && isPlainObjectOrArray(body)) return body;
  throw new FetchSyncTypeError(
    `${who}: body must be a string, ArrayBuffer, ArrayBufferView, plain object, array or null`,
  );
}

/** A copy for `clone()`: bytes are copied, objects are shared by reference. */
export function cloneBody(body: StoredBody): StoredBody {
  return body instanceof ArrayBuffer ? body.slice(0) : body;
}

/** Adopts a `Headers` instance as is (so sharing survives encoding); builds one from other inits. */
export function toHeaders(init: HeadersSyncInit | undefined, who: string): Headers {
  if (init === undefined) return new Headers();
  if (init instanceof Headers) return init;
  try {
    return new Headers(init);
  } catch {
    // Never the platform's message: it quotes the offending value, which may be a credential.
    const problem = firstRefusedHeader(init) ?? 'expected a Headers, an array of [name, value] string pairs or a record of strings';
    throw new FetchSyncTypeError(`${who}: invalid headers: ${problem}`);
  }
}

/** The body as text: objects as JSON, bytes as UTF-8, no body as ''. */
export function bodyText(body: StoredBody): string {
  if (body === null) return '';
  if (typeof body === 'string') return body;
  if (body instanceof ArrayBuffer) return utf8Decoder.decode(body);
  return JSON.stringify(body);
}

/** The body parsed as JSON; an object body is returned as the same object; no body gives null. */
export function bodyJson(body: StoredBody): unknown {
  if (body === null) return null;
  if (typeof body === 'string') return JSON.parse(body);
  if (body instanceof ArrayBuffer) return JSON.parse(utf8Decoder.decode(body));
  return body;
}

/** The stored buffer itself for a binary body, otherwise freshly encoded UTF-8. */
export function bodyArrayBuffer(body: StoredBody): ArrayBuffer {
  if (body instanceof ArrayBuffer) return body;
  return utf8Encoder.encode(bodyText(body)).buffer as ArrayBuffer;
}

/** The body in the form a native `Request`/`Response` accepts (objects become JSON text). */
export function nativeBody(body: StoredBody): string | ArrayBuffer | null {
  if (body === null || typeof body === 'string' || body instanceof ArrayBuffer) return body;
  return JSON.stringify(body);
}

/** The error `formData()` always throws. */
export function formDataUnsupported(who: string): FetchSyncTypeError {
  return new FetchSyncTypeError(`${who}.formData() is not supported; use json() or text() instead`);
}

/** Body typing rule: textual media types are stored as a string, everything else as bytes. */
export function isTextualContentType(contentType: string | null): boolean {
  if (contentType === null) return false;
  const type = contentType.split(';', 1)[0].trim().toLowerCase();
  return (
    type.startsWith('text/') ||
    type.endsWith('/json') ||
    type.endsWith('+json') ||
    type.endsWith('/javascript') ||
    type.endsWith('/xml') ||
    type.endsWith('+xml') ||
    type === 'application/x-www-form-urlencoded'
  );
}

/** Reads a native body once: null, text or bytes by the typing rule. Rejects a used body. */
export async function readNativeBody(
  source: { bodyUsed: boolean; body: unknown; headers: Headers; text(): Promise<string>; arrayBuffer(): Promise<ArrayBuffer> },
  who: string,
): Promise<StoredBody> {
  if (source.bodyUsed) throw new FetchSyncTypeError(`${who}: the body was already used; pass a fresh or cloned object`);
  if (source.body === null) return null;
  return isTextualContentType(source.headers.get('content-type')) ? await source.text() : await source.arrayBuffer();
}

/** Checks an optional enum-valued init field; returns it unchanged. */
export function checkEnum<T extends string>(value: unknown, allowed: readonly T[], field: string, who: string): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new FetchSyncTypeError(`${who}: ${field} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
  }
  return value as T;
}

/**
 * The common part of a decoded `request-sync`/`response-sync` payload: an object whose `headers`
 * references a headers entry and whose `body` references only plain data or bytes (so building one
 * never recurses into another request or response).
 */
export function readSyncPayload(p: unknown, entry: SyncEntryAccess): { payload: Record<string, unknown>; headers: Headers; body: unknown } {
  if (typeof p !== 'object' || p === null || Array.isArray(p)) throw entry.bad('payload must be an object');
  const payload = p as Record<string, unknown>;
  const headers = entry.ref(payload.headers, ['headers'], 'headers');
  if (!(headers instanceof Headers)) throw entry.bad('headers must reference a headers entry');
  const body = entry.ref(payload.body, ['object', 'array', 'arraybuffer'], 'body');
  return { payload, headers, body };
}
