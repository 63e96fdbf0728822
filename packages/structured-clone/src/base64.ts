/**
 * Standard base64 (RFC 4648, padded) for byte arrays, synchronous and strict on input.
 * Uses the platform's native codec where one exists (Uint8Array.toBase64, Node's Buffer),
 * otherwise `btoa`/`atob`, which every runtime we target has.
 */

interface NativeBase64 {
  toBase64?: (this: Uint8Array) => string;
}
interface NativeBase64Static {
  fromBase64?: (text: string) => Uint8Array;
}
interface NodeBufferLike {
  from(data: ArrayBufferLike | string, offsetOrEncoding?: number | string, length?: number): Uint8Array & { toString(enc: string): string };
}
const nativeTo = (Uint8Array.prototype as NativeBase64).toBase64;
const nativeFrom = (Uint8Array as NativeBase64Static).fromBase64;
// Node's Buffer is faster than the btoa/atob fallback; it is optional (absent in browsers).
const NodeBuffer = (globalThis as { Buffer?: NodeBufferLike }).Buffer;
/** Bytes per String.fromCharCode call: well under every engine's argument-count limit. */
const CHUNK = 8192;

/** Encodes the bytes `bytes` can see as padded standard base64. */
export function bytesToBase64(bytes: Uint8Array): string {
  if (nativeTo !== undefined) return nativeTo.call(bytes);
  if (NodeBuffer !== undefined) return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  return btoaBytes(bytes);
}

/**
 * Decodes padded standard base64; returns undefined when `text` is not exactly the canonical
 * encoding of some bytes. Validation is by re-encoding (fast everywhere, and identical on every
 * runtime: no whitespace, no missing padding, no stray bits in the last character).
 */
export function base64ToBytes(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) return undefined;
  let bytes: Uint8Array | undefined;
  if (nativeFrom !== undefined) {
    try {
      bytes = nativeFrom(text);
    } catch {
      return undefined;
    }
  } else if (NodeBuffer !== undefined) {
    // Buffer.from may hand out a slice of a shared pool; copy into a buffer of our own.
    const pooled = NodeBuffer.from(text, 'base64');
    bytes = new Uint8Array(pooled.length);
    bytes.set(pooled);
  } else {
    bytes = atobBytes(text);
  }
  return bytes !== undefined && bytesToBase64(bytes) === text ? bytes : undefined;
}

/** Package-internal (exported for its test): the fallback encoder, `btoa` over latin-1 text. */
export function btoaBytes(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += CHUNK) text += String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK) as unknown as number[]);
  return btoa(text);
}

/**
 * Package-internal (exported for its test): the fallback decoder. `atob` is lenient (it skips
 * whitespace and accepts missing padding); base64ToBytes's re-encoding check makes it strict.
 */
export function atobBytes(text: string): Uint8Array | undefined {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    return undefined;
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
