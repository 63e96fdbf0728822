/**
 * Standard base64 (RFC 4648, padded) for byte arrays, synchronous and strict on input.
 * Uses the platform's native codec where one exists, otherwise a table-driven loop.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const ENCODE = new Uint8Array(64);
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) {
  ENCODE[i] = ALPHABET.charCodeAt(i);
  DECODE[ALPHABET.charCodeAt(i)] = i;
}
const PAD = 61; // '='

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
// Node's Buffer is much faster than a JS loop; it is optional (absent in workerd and browsers).
const NodeBuffer = (globalThis as { Buffer?: NodeBufferLike }).Buffer;
const latin1 = new TextDecoder('latin1');

/** Encodes the bytes `bytes` can see as padded standard base64. */
export function bytesToBase64(bytes: Uint8Array): string {
  if (nativeTo !== undefined) return nativeTo.call(bytes);
  if (NodeBuffer !== undefined) return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  const n = bytes.length;
  const out = new Uint8Array(Math.ceil(n / 3) * 4);
  let o = 0;
  let i = 0;
  for (const end = n - 2; i < end; i += 3) {
    const t = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out[o++] = ENCODE[t >>> 18];
    out[o++] = ENCODE[(t >>> 12) & 63];
    out[o++] = ENCODE[(t >>> 6) & 63];
    out[o++] = ENCODE[t & 63];
  }
  if (i < n) {
    const t = (bytes[i] << 16) | (i + 1 < n ? bytes[i + 1] << 8 : 0);
    out[o++] = ENCODE[t >>> 18];
    out[o++] = ENCODE[(t >>> 12) & 63];
    out[o++] = i + 1 < n ? ENCODE[(t >>> 6) & 63] : PAD;
    out[o++] = PAD;
  }
  return latin1.decode(out);
}

/**
 * Decodes padded standard base64; returns undefined when `text` is not exactly the canonical
 * encoding of some bytes. Validation is by re-encoding (fast everywhere, and identical on every
 * runtime: no whitespace, no missing padding, no stray bits in the last character).
 */
export function base64ToBytes(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) return undefined;
  let bytes: Uint8Array;
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
    bytes = decodeLoop(text);
  }
  return bytesToBase64(bytes) === text ? bytes : undefined;
}

/** Table-driven decoding; garbage in gives some bytes out, which the re-encoding check rejects. */
function decodeLoop(text: string): Uint8Array {
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const n = Math.max(0, (text.length / 4) * 3 - pad);
  const out = new Uint8Array(n);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const t =
      ((DECODE[text.charCodeAt(i) & 127] & 63) << 18) |
      ((DECODE[text.charCodeAt(i + 1) & 127] & 63) << 12) |
      ((DECODE[text.charCodeAt(i + 2) & 127] & 63) << 6) |
      (DECODE[text.charCodeAt(i + 3) & 127] & 63);
    if (o < n) out[o++] = t >>> 16;
    if (o < n) out[o++] = (t >>> 8) & 255;
    if (o < n) out[o++] = t & 255;
  }
  return out;
}
