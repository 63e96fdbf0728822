/**
 * Binary values (spec §3.6): ArrayBuffer, DataView and every typed-array kind, encoded as
 * `{ type, data }` where `data` is base64 of exactly the bytes the value can see, little-endian.
 */
import { base64ToBytes, bytesToBase64 } from './base64.ts';

type TypedArrayCtor = { new (buffer: ArrayBuffer): ArrayBufferView; readonly BYTES_PER_ELEMENT: number };

/** Typed-array kinds by name: a fixed allow-list (a name from input never reaches `globalThis`). */
const TYPED_ARRAYS = new Map<string, TypedArrayCtor>();
const candidates: Array<[string, unknown]> = [
  ['Int8Array', Int8Array],
  ['Uint8Array', Uint8Array],
  ['Uint8ClampedArray', Uint8ClampedArray],
  ['Int16Array', Int16Array],
  ['Uint16Array', Uint16Array],
  ['Int32Array', Int32Array],
  ['Uint32Array', Uint32Array],
  ['Float32Array', Float32Array],
  ['Float64Array', Float64Array],
  ['BigInt64Array', BigInt64Array],
  ['BigUint64Array', BigUint64Array],
  ['Float16Array', (globalThis as { Float16Array?: unknown }).Float16Array],
];
for (const [name, ctor] of candidates) if (typeof ctor === 'function') TYPED_ARRAYS.set(name, ctor as TypedArrayCtor);

// %TypedArray%.prototype[Symbol.toStringTag] gives the kind of any typed array (a Node Buffer
// reports Uint8Array) and undefined for everything else, without trusting `constructor`.
const typedArrayTag = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag)!
  .get as (this: unknown) => string | undefined;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The kind name of an ArrayBuffer view: a typed-array name or `DataView`. */
export function viewType(view: ArrayBufferView): string {
  return typedArrayTag.call(view) ?? 'DataView';
}

/** Reverses each element's bytes in place (only needed on big-endian machines). */
function swapBytes(bytes: Uint8Array, size: number): void {
  for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
}

/** `{ type, data }` for an ArrayBuffer (all of it) or a view (only the bytes it can see). */
export function encodeBinary(value: ArrayBuffer | ArrayBufferView, type: string): { type: string; data: string } {
  let bytes: Uint8Array;
  if (type === 'ArrayBuffer') bytes = new Uint8Array(value as ArrayBuffer);
  else {
    const view = value as ArrayBufferView;
    bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    const size = TYPED_ARRAYS.get(type)?.BYTES_PER_ELEMENT ?? 1;
    if (!LITTLE_ENDIAN && size > 1) {
      bytes = bytes.slice();
      swapBytes(bytes, size);
    }
  }
  return { type, data: bytesToBase64(bytes) };
}

/** The reason a `{ type, data }` payload is invalid, or the decoded value. */
export function decodeBinary(type: unknown, data: unknown): ArrayBuffer | ArrayBufferView | string {
  if (typeof data !== 'string') return 'data is not a base64 string';
  if (type !== 'ArrayBuffer' && type !== 'DataView' && (typeof type !== 'string' || !TYPED_ARRAYS.has(type))) {
    return 'type is not ArrayBuffer, DataView or a typed-array name this runtime has';
  }
  const bytes = base64ToBytes(data);
  if (bytes === undefined) return 'data is not valid padded standard base64';
  const buffer = bytes.buffer as ArrayBuffer;
  if (type === 'ArrayBuffer') return buffer;
  if (type === 'DataView') return new DataView(buffer);
  const ctor = TYPED_ARRAYS.get(type)!;
  if (bytes.length % ctor.BYTES_PER_ELEMENT !== 0) return `byte length ${bytes.length} is not a multiple of ${ctor.BYTES_PER_ELEMENT}`;
  if (!LITTLE_ENDIAN && ctor.BYTES_PER_ELEMENT > 1) swapBytes(bytes, ctor.BYTES_PER_ELEMENT);
  return new ctor(buffer);
}
