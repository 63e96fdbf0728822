/**
 * The encoder (spec §4): walks a value graph with an explicit work stack (no recursion, so depth
 * is unlimited) and writes every object once into a table, referenced as `["$lmz", index]`.
 */
import { encodeBinary, viewType } from './binary.ts';
import { StructuredCloneEncodeError, type EncodeErrorCode } from './errors.ts';
import { specialNumberName } from './numbers.ts';
import { hasEnumerable, put } from './own-props.ts';
import { SYNC_PARTS, type SyncParts } from './sync-parts.ts';
import { HookContext, pathOf, renderPath, stepOf, TRANSFORM_SKIP, type PathNode } from './transform.ts';
import type { LmzIntermediate, PathElement, PreprocessOptions, PreprocessTransform } from './types.ts';

// Kinds of object. Containers are processed from the work stack; leaves are written at once.
const OBJECT = 0; // prototype Object.prototype or null
const INSTANCE = 7; // any other prototype: a class instance, encoded as a plain object
const ARRAY = 1;
const MAP = 2;
const SET = 3;
const ERROR = 4;
const SYNC = 5; // RequestSync / ResponseSync (they describe themselves: sync-parts.ts)
const FIRST_LEAF = 10;
const DATE = 10;
const REGEXP = 11;
const HEADERS = 12;
const URL_KIND = 13;
const ARRAY_BUFFER = 14;
const VIEW = 15;
const BOOLEAN_OBJECT = 16;
const NUMBER_OBJECT = 17;
const STRING_OBJECT = 18;
const BIGINT_OBJECT = 19;
const FUNCTION = 20;

const ERROR_STANDARD_KEYS = new Set(['name', 'message', 'stack', 'cause']);
const hasOwn = Object.prototype.hasOwnProperty;
const objectProto = Object.prototype;

/** Built-ins that cannot be encoded, found by constructor (only those the runtime has). */
const UNSUPPORTED: Array<[string, Function]> = [];
for (const name of [
  'File',
  'Blob',
  'FormData',
  'ReadableStream',
  'WritableStream',
  'TransformStream',
  'Promise',
  'WeakMap',
  'WeakSet',
  'WeakRef',
  'FinalizationRegistry',
  'SharedArrayBuffer',
  'MessagePort',
  'WebSocket',
]) {
  const ctor: unknown = (globalThis as Record<string, unknown>)[name];
  if (typeof ctor === 'function') UNSUPPORTED.push([name, ctor]);
}
const NativeRequest: Function | undefined = typeof Request === 'function' ? Request : undefined;
const NativeResponse: Function | undefined = typeof Response === 'function' ? Response : undefined;

/** A real RequestSync/ResponseSync describes itself; anything else (even a look-alike) is not one. */
function syncParts(v: object): SyncParts | undefined {
  const describe: unknown = (v as { [SYNC_PARTS]?: unknown })[SYNC_PARTS];
  return typeof describe === 'function' ? (describe.call(v) as SyncParts | undefined) : undefined;
}

const toISOString = Date.prototype.toISOString;
const getTime = Date.prototype.getTime;

/** ISO text of a Date, or null for an invalid one (toISOString would throw RangeError). */
function isoOrNull(date: Date): string | null {
  const time = getTime.call(date);
  return time === time ? toISOString.call(date) : null;
}

function headerPairs(headers: Headers): [string, string][] {
  const pairs: [string, string][] = [];
  const getSetCookie = (headers as { getSetCookie?: () => string[] }).getSetCookie;
  const splitCookies = typeof getSetCookie === 'function';
  headers.forEach((value, name) => {
    if (!(splitCookies && name === 'set-cookie')) pairs.push([name, value]);
  });
  if (splitCookies) for (const cookie of getSetCookie.call(headers)) pairs.push(['set-cookie', cookie]);
  return pairs;
}

/** Base64 length from which `stringify` splices binary text in itself (see json.ts). */
const LARGE_BINARY = 4096;

class Encoder {
  readonly objects: unknown[] = [];
  /** Table indexes (ascending) of binary entries with at least LARGE_BINARY characters of base64. */
  readonly largeBinary: number[] = [];
  readonly #seen = new Map<object, number>();
  /** Triples: value, table index, kind. */
  readonly #stack: unknown[] = [];
  readonly #hook: PreprocessTransform | undefined;
  /** Hook only: the path node of each stacked container, and of the one being processed. */
  readonly #nodes: Array<PathNode | null> = [];
  #node: PathNode | null = null;
  /** Hook only: originals whose replacement was a primitive, mapped to its encoding. */
  #replaced: Map<object, unknown> | undefined;
  /** Index of the container being processed (-1 while encoding the root), for error paths. */
  #current = -1;

  /** True when nothing enumerable was added to Object.prototype (checked once per call). */
  readonly #cleanObjectProto: boolean;

  constructor(hook: PreprocessTransform | undefined) {
    this.#hook = hook;
    this.#cleanObjectProto = !hasEnumerable(objectProto);
  }

  encode(value: unknown): LmzIntermediate {
    const root = this.#value(value, undefined);
    this.#drain();
    return { root, objects: this.objects };
  }

  #value(v: unknown, key: string | number | undefined): unknown {
    return this.#hook === undefined ? this.#plain(v, key) : this.#hooked(v, key);
  }

  #plain(v: unknown, key: string | number | undefined): unknown {
    switch (typeof v) {
      case 'string':
      case 'boolean':
        return v;
      case 'number':
        if (v === v && v !== Infinity && v !== -Infinity && (v !== 0 || 1 / v > 0)) return v;
        return ['number', specialNumberName(v)];
      case 'object': {
        if (v === null) return null;
        const index = this.#seen.get(v);
        return ['$lmz', index !== undefined ? index : this.#add(v, key)];
      }
      case 'function': {
        const index = this.#seen.get(v);
        return ['$lmz', index !== undefined ? index : this.#add(v, key)];
      }
      case 'undefined':
        return ['undefined'];
      case 'bigint':
        return ['bigint', v.toString()];
      default:
        throw this.#fail('SYMBOL', 'cannot serialize a symbol value', key);
    }
  }

  #hooked(v: unknown, key: string | number | undefined): unknown {
    const isObject = (typeof v === 'object' && v !== null) || typeof v === 'function';
    if (isObject) {
      const index = this.#seen.get(v);
      if (index !== undefined) return ['$lmz', index];
      const replaced = this.#replaced?.get(v);
      if (replaced !== undefined) return replaced;
    }
    const replacement = this.#hook!(v, new HookContext(this.#node, key));
    if (replacement === TRANSFORM_SKIP) return this.#plain(v, key);
    const encoded = this.#plain(replacement, key);
    if (isObject) {
      if (Array.isArray(encoded) && encoded[0] === '$lmz') this.#seen.set(v, encoded[1] as number);
      else (this.#replaced ??= new Map()).set(v, encoded);
    }
    return encoded;
  }


  /** Gives a first-met object its table index; leaves are written now, containers stacked. */
  #add(v: object, key: string | number | undefined): number {
    const kind = this.#classify(v, key);
    const index = this.objects.length;
    if (kind >= FIRST_LEAF) {
      // Build before registering, so a throw leaves no trace in the table.
      const entry = this.#leaf(v, kind);
      this.#seen.set(v, index);
      this.objects.push(entry);
      return index;
    }
    this.#seen.set(v, index);
    this.objects.push(null);
    this.#stack.push(v, index, kind);
    if (this.#hook !== undefined) this.#nodes.push({ parent: this.#node, step: stepOf(key) });
    return index;
  }

  #classify(v: object, key: string | number | undefined): number {
    if (typeof v === 'function') return FUNCTION;
    if (Array.isArray(v)) return ARRAY;
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto === objectProto || proto === null) return OBJECT;
    if (v instanceof Date) return DATE;
    if (v instanceof Map) return MAP;
    if (v instanceof Set) return SET;
    if (v instanceof Error) return ERROR;
    if (v instanceof RegExp) return REGEXP;
    if (ArrayBuffer.isView(v)) return VIEW;
    if (v instanceof ArrayBuffer) return ARRAY_BUFFER;
    if (syncParts(v) !== undefined) return SYNC;
    if (v instanceof Headers) return HEADERS;
    if (v instanceof URL) return URL_KIND;
    if (v instanceof Boolean) return BOOLEAN_OBJECT;
    if (v instanceof Number) return NUMBER_OBJECT;
    if (v instanceof String) return STRING_OBJECT;
    if (v instanceof BigInt) return BIGINT_OBJECT;
    if (NativeRequest !== undefined && v instanceof NativeRequest) {
      throw this.#fail('NATIVE_FETCH_OBJECT', 'cannot serialize a native Request (its body is read asynchronously); convert it with await RequestSync.fromRequest(request)', key);
    }
    if (NativeResponse !== undefined && v instanceof NativeResponse) {
      throw this.#fail('NATIVE_FETCH_OBJECT', 'cannot serialize a native Response (its body is read asynchronously); convert it with await ResponseSync.fromResponse(response)', key);
    }
    for (const [name, ctor] of UNSUPPORTED) {
      if (v instanceof ctor) throw this.#fail('UNSUPPORTED_TYPE', `cannot serialize a ${name}`, key);
    }
    return INSTANCE; // a class instance: its own enumerable data, as native cloning does
  }

  #leaf(v: object, kind: number): [string, unknown] {
    switch (kind) {
      case DATE:
        return ['date', isoOrNull(v as Date)];
      case REGEXP:
        return ['regexp', { source: (v as RegExp).source, flags: (v as RegExp).flags }];
      case HEADERS:
        return ['headers', headerPairs(v as Headers)];
      case URL_KIND:
        return ['url', { href: (v as URL).href }];
      case ARRAY_BUFFER:
      case VIEW: {
        const payload = encodeBinary(v as ArrayBuffer | ArrayBufferView, kind === VIEW ? viewType(v as ArrayBufferView) : 'ArrayBuffer');
        if (payload.data.length >= LARGE_BINARY) this.largeBinary.push(this.objects.length);
        return ['arraybuffer', payload];
      }
      case BOOLEAN_OBJECT:
        return ['boolean-object', Boolean.prototype.valueOf.call(v)];
      case NUMBER_OBJECT: {
        const n = Number.prototype.valueOf.call(v);
        return ['number-object', specialNumberName(n) ?? n];
      }
      case STRING_OBJECT:
        return ['string-object', String.prototype.valueOf.call(v)];
      case BIGINT_OBJECT:
        return ['bigint-object', BigInt.prototype.valueOf.call(v).toString()];
      default: {
        const name: unknown = (v as Function).name;
        return ['function', { name: typeof name === 'string' && name !== '' ? name : 'anonymous' }];
      }
    }
  }

  #drain(): void {
    const stack = this.#stack;
    const objects = this.objects;
    const hooked = this.#hook !== undefined;
    const plain = !hooked;
    while (stack.length !== 0) {
      const kind = stack.pop() as number;
      const index = stack.pop() as number;
      const v = stack.pop();
      if (hooked) this.#node = this.#nodes.pop()!;
      this.#current = index;
      const base = stack.length;
      switch (kind) {
        case OBJECT: {
          const source = v as Record<string, unknown>;
          const out: Record<string, unknown> = {};
          if (this.#cleanObjectProto) {
            // for-in walks V8's enum cache without allocating a key list; with nothing enumerable
            // on Object.prototype it visits exactly the own enumerable string keys.
            for (const k in source) {
              const x = source[k];
              // Inline fast path: without a hook, strings and booleans encode as themselves.
              const encoded = plain && (typeof x === 'string' || typeof x === 'boolean') ? x : this.#value(x, k);
              if (k === '__proto__') put(out, k, encoded);
              else out[k] = encoded;
            }
          } else {
            this.#ownKeys(source, out);
          }
          objects[index] = ['object', out];
          break;
        }
        case INSTANCE: {
          const out: Record<string, unknown> = {};
          this.#ownKeys(v as Record<string, unknown>, out);
          objects[index] = ['object', out];
          break;
        }
        case ARRAY: {
          const source = v as unknown[];
          const n = source.length;
          const out = new Array<unknown>(n);
          for (let i = 0; i < n; i++) {
            const x = source[i];
            out[i] = plain && (typeof x === 'string' || typeof x === 'boolean') ? x : this.#value(x, i);
          }
          objects[index] = ['array', out];
          break;
        }
        case MAP: {
          const out: unknown[] = [];
          for (const [k, value] of v as Map<unknown, unknown>) out.push([this.#value(k, undefined), this.#value(value, undefined)]);
          objects[index] = ['map', out];
          break;
        }
        case SET: {
          const out: unknown[] = [];
          for (const member of v as Set<unknown>) out.push(this.#value(member, undefined));
          objects[index] = ['set', out];
          break;
        }
        case ERROR:
          objects[index] = ['error', this.#error(v as Error)];
          break;
        default: {
          const parts = syncParts(v as object)!;
          objects[index] = [parts.tag, this.#sync(parts)];
        }
      }
      // Children were stacked in key order; flip them so the first child is processed first
      // (depth-first pre-order: a hook meets values in the order a recursive walk would).
      if (stack.length - base > 3) this.#flip(base);
    }
  }

  /** Encodes the own enumerable string-keyed properties of `source` into `out`. */
  #ownKeys(source: Record<string, unknown>, out: Record<string, unknown>): void {
    const keys = Object.keys(source);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      put(out, k, this.#value(source[k], k));
    }
  }

  #flip(base: number): void {
    const stack = this.#stack;
    for (let lo = base, hi = stack.length - 3; lo < hi; lo += 3, hi -= 3) {
      for (let k = 0; k < 3; k++) {
        const t = stack[lo + k];
        stack[lo + k] = stack[hi + k];
        stack[hi + k] = t;
      }
    }
    if (this.#hook !== undefined) {
      const nodes = this.#nodes;
      for (let lo = base / 3, hi = nodes.length - 1; lo < hi; lo++, hi--) {
        const t = nodes[lo];
        nodes[lo] = nodes[hi];
        nodes[hi] = t;
      }
    }
  }

  #error(e: Error): Record<string, unknown> {
    const out: Record<string, unknown> = { name: String(e.name), message: String(e.message) };
    const stack: unknown = e.stack;
    if (typeof stack === 'string') out.stack = stack;
    if (hasOwn.call(e, 'cause')) this.#errorProperty(e, 'cause', out);
    for (const k of Object.getOwnPropertyNames(e)) if (!ERROR_STANDARD_KEYS.has(k)) this.#errorProperty(e, k, out);
    return out;
  }

  /**
   * Errors usually travel from a failure path: a property that cannot be read or encoded (a
   * throwing getter, a symbol) is skipped rather than failing the whole report. A hook's own
   * error still propagates.
   */
  #errorProperty(e: Error, key: string, out: Record<string, unknown>): void {
    let value: unknown;
    try {
      value = (e as unknown as Record<string, unknown>)[key];
    } catch {
      return;
    }
    let encoded: unknown;
    try {
      encoded = this.#value(value, key);
    } catch (failure) {
      if (failure instanceof StructuredCloneEncodeError) return;
      throw failure;
    }
    put(out, key, encoded);
  }

  #sync(parts: SyncParts): Record<string, unknown> {
    const out: Record<string, unknown> = { ...parts.fields };
    out.headers = this.#value(parts.headers, 'headers');
    out.body = this.#value(parts.body, 'body');
    return Object.assign(out, parts.trailing);
  }

  #fail(code: EncodeErrorCode, message: string, key: string | number | undefined): StructuredCloneEncodeError {
    const path = this.#hook !== undefined ? pathOf(this.#node) : this.#containerPath();
    const step = stepOf(key);
    if (step !== undefined) path.push(step);
    return new StructuredCloneEncodeError(code, message, renderPath(path));
  }

  /**
   * Path to the container being processed, rebuilt from the finished table only when an error is
   * reported (no bookkeeping on the fast path). Each object's first referrer in index order has a
   * lower index than the object, so following first referrers always reaches the root.
   */
  #containerPath(): PathElement[] {
    if (this.#current < 0) return [];
    const parent = new Map<number, [number, PathElement | undefined]>();
    const objects = this.objects;
    for (let j = 0; j < objects.length; j++) {
      const entry = objects[j] as [string, unknown] | null;
      if (entry === null) continue;
      forEachRef(entry, (child, step) => {
        if (child !== 0 && !parent.has(child)) parent.set(child, [j, step]);
      });
    }
    const steps: PathElement[] = [];
    for (let at = this.#current; at !== 0; ) {
      const link = parent.get(at);
      if (link === undefined || link[0] >= at) break;
      if (link[1] !== undefined) steps.push(link[1]);
      at = link[0];
    }
    return steps.reverse();
  }
}

function isRef(x: unknown): x is ['$lmz', number] {
  return Array.isArray(x) && x[0] === '$lmz';
}

/** Calls `visit` for each reference an entry (made by this encoder) holds, with its path step. */
function forEachRef(entry: [string, unknown], visit: (child: number, step: PathElement | undefined) => void): void {
  const [tag, payload] = entry;
  const seeValue = (x: unknown, step: PathElement | undefined) => {
    if (isRef(x)) visit(x[1], step);
  };
  switch (tag) {
    case 'array':
      (payload as unknown[]).forEach((x, i) => seeValue(x, { type: 'index', key: i }));
      break;
    case 'map':
      for (const pair of payload as unknown[][]) {
        seeValue(pair[0], undefined);
        seeValue(pair[1], undefined);
      }
      break;
    case 'set':
      for (const x of payload as unknown[]) seeValue(x, undefined);
      break;
    case 'object':
    case 'error':
    case 'request-sync':
    case 'response-sync':
      for (const [k, x] of Object.entries(payload as Record<string, unknown>)) seeValue(x, { type: 'get', key: k });
      break;
  }
}

/**
 * Turns a value graph into JSON-compatible data (tier 2) that `postprocess` turns back.
 * Synchronous; keeps cycles, aliases and rich types. Throws `StructuredCloneEncodeError`.
 *
 * @example const data = preprocess({ when: new Date(), tags: new Set(['a']) }); // hand to RPC, storage...
 */
export function preprocess(value: unknown, options?: PreprocessOptions): LmzIntermediate {
  return new Encoder(options?.transform).encode(value);
}

/** Package-internal: `preprocess` plus the indexes of large binary entries, for `stringify`. */
export function preprocessForText(value: unknown, options?: PreprocessOptions): { data: LmzIntermediate; largeBinary: number[] } {
  const encoder = new Encoder(options?.transform);
  const data = encoder.encode(value);
  return { data, largeBinary: encoder.largeBinary };
}
