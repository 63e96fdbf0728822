/**
 * The decoder (spec §4, §5, §7): rebuilds a value graph from the table format. Every entry is
 * validated; work is one pass over the table (linear, no recursion on data depth); no code named
 * by the input runs, and no key can reach a prototype.
 */
import { decodeBinary } from './binary.ts';
import { errorClassFor } from './error-classes.ts';
import { snippet, StructuredCloneDecodeError, type DecodeErrorCode } from './errors.ts';
import { headerProblem } from './header-error.ts';
import { bigintFromPayload, numberFromPayload } from './numbers.ts';
import { hasEnumerable, put } from './own-props.ts';
import type { SyncRevivers } from './sync-parts.ts';
import type { LmzIntermediate } from './types.ts';

const hasOwn = Object.prototype.hasOwnProperty;
const ISO_DATE = /^(?:\d{4}|[+-]\d{6})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;
const REGEXP_FLAGS = /^[dgimsuvy]*$/;
// Tags an error message may name in its location; any other tag is payload text, quoted (capped)
// only once, in the problem itself, so a message never quotes more than MAX_ECHO_CHARS of input.
const ENTRY_TAGS = new Set([
  'object', 'array', 'map', 'set', 'error', 'date', 'regexp', 'headers', 'url', 'arraybuffer', 'boolean-object',
  'number-object', 'string-object', 'bigint-object', 'function', 'request-sync', 'response-sync',
]);

type Entry = [string, unknown];

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function hidden(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: false, writable: true, configurable: true });
}

class Decoder {
  readonly #objects: unknown[];
  readonly #out: unknown[];
  /** Builders of RequestSync/ResponseSync entries (a missing one: that class is not loaded). */
  readonly #revivers: Partial<SyncRevivers>;
  /** Entry being decoded, for error messages (-1: the root value). */
  #at = -1;
  #tag = '';

  /**
   * In-place mode (tier 1 only): the table came from our own JSON.parse call and nobody else can
   * see it, so object and array payloads become the result objects themselves, with only their
   * tagged values replaced. This halves the allocation of `parse`. `postprocess` never does this.
   */
  readonly #inPlace: boolean;
  /** True when nothing enumerable was added to Object.prototype (checked once per call). */
  readonly #cleanObjectProto: boolean;

  constructor(objects: unknown[], inPlace: boolean, revivers: Partial<SyncRevivers>) {
    this.#objects = objects;
    this.#revivers = revivers;
    this.#out = new Array(objects.length);
    this.#inPlace = inPlace;
    this.#cleanObjectProto = inPlace && !hasEnumerable(Object.prototype);
  }

  decode(root: unknown): unknown {
    const out = this.#out;
    for (let i = 0; i < out.length; i++) {
      const shell = out[i] !== undefined ? out[i] : this.#shell(i);
      this.#fill(i, shell);
    }
    this.#at = -1;
    return this.#value(root);
  }

  #fail(code: DecodeErrorCode, problem: string): StructuredCloneDecodeError {
    const where = this.#at < 0 ? 'root' : ENTRY_TAGS.has(this.#tag) ? `objects[${this.#at}] (${this.#tag})` : `objects[${this.#at}]`;
    return new StructuredCloneDecodeError(code, `structured-clone: cannot decode ${where}: ${problem}`);
  }

  #entry(i: number): Entry {
    const entry = this.#objects[i];
    if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'string') {
      this.#at = i;
      this.#tag = '?';
      throw this.#fail('BAD_ENTRY', `a table entry must be a [tag, payload] array, got ${snippet(entry)}`);
    }
    return entry as Entry;
  }

  #value(x: unknown): unknown {
    switch (typeof x) {
      case 'string':
      case 'boolean':
      case 'number':
        return x;
      case 'object':
        if (x === null) return null;
        if (Array.isArray(x)) return this.#tagged(x);
        throw this.#fail('BAD_VALUE', 'an object in a value position (data objects live in the table)');
      default:
        throw this.#fail('BAD_VALUE', `a ${typeof x} in a value position`);
    }
  }

  #tagged(x: unknown[]): unknown {
    const tag = x[0];
    if (tag === '$lmz') {
      const j = x[1];
      if (x.length !== 2 || typeof j !== 'number' || !Number.isInteger(j) || j < 0 || j >= this.#out.length) {
        throw this.#fail('BAD_REFERENCE', `["$lmz", ${snippet(j)}] does not point into the table of ${this.#out.length} entries`);
      }
      const o = this.#out[j];
      return o !== undefined ? o : this.#shell(j);
    }
    switch (tag) {
      case 'undefined':
        if (x.length === 1) return undefined;
        break;
      case 'number': {
        const n = x.length === 2 ? numberFromPayload(x[1]) : undefined;
        if (n !== undefined) return n;
        throw this.#fail('BAD_VALUE', `["number", ${snippet(x[1])}] is neither a number nor NaN, Infinity, -Infinity or -0`);
      }
      case 'bigint': {
        const n = x.length === 2 ? bigintFromPayload(x[1]) : undefined;
        if (n !== undefined) return n;
        throw this.#fail('BAD_VALUE', `["bigint", ${snippet(x[1])}] is not a decimal integer string`);
      }
      case 'null':
        if (x.length === 1) return null;
        break;
      case 'string':
        if (x.length === 2 && typeof x[1] === 'string') return x[1];
        break;
      case 'boolean':
        if (x.length === 2 && typeof x[1] === 'boolean') return x[1];
        break;
      default:
        throw this.#fail('UNKNOWN_TAG', `unknown value tag ${snippet(tag)}`);
    }
    throw this.#fail('BAD_VALUE', `malformed ${snippet(tag)} value`);
  }

  /** Creates the object for entry `i`: empty for containers, complete for leaves. */
  #shell(i: number): unknown {
    const [tag, p] = this.#entry(i);
    const at = this.#at;
    const previousTag = this.#tag;
    this.#at = i;
    this.#tag = tag;
    let o: unknown;
    switch (tag) {
      case 'object':
        if (!isRecord(p)) throw this.#fail('BAD_PAYLOAD', 'payload must be an object');
        o = this.#inPlace ? p : {};
        break;
      case 'array':
        if (!Array.isArray(p)) throw this.#fail('BAD_PAYLOAD', 'payload must be an array');
        o = this.#inPlace ? p : new Array(p.length);
        break;
      case 'map':
        if (!Array.isArray(p)) throw this.#fail('BAD_PAYLOAD', 'payload must be an array of [key, value] pairs');
        o = new Map();
        break;
      case 'set':
        if (!Array.isArray(p)) throw this.#fail('BAD_PAYLOAD', 'payload must be an array');
        o = new Set();
        break;
      case 'error':
        o = this.#errorShell(p);
        break;
      case 'date':
        o = this.#date(p);
        break;
      case 'regexp':
        o = this.#regexp(p);
        break;
      case 'headers':
        o = this.#headers(p);
        break;
      case 'url':
        if (!isRecord(p) || typeof p.href !== 'string') throw this.#fail('BAD_PAYLOAD', 'payload must be { href: string }');
        o = this.#platform(() => new URL(p.href as string), 'invalid URL');
        break;
      case 'arraybuffer': {
        if (!isRecord(p)) throw this.#fail('BAD_PAYLOAD', 'payload must be { type, data }');
        const result = decodeBinary(p.type, p.data);
        if (typeof result === 'string') throw this.#fail('BAD_PAYLOAD', `${result} (type ${snippet(p.type)})`);
        o = result;
        break;
      }
      case 'boolean-object':
        if (typeof p !== 'boolean') throw this.#fail('BAD_PAYLOAD', 'payload must be a boolean');
        o = new Boolean(p);
        break;
      case 'number-object': {
        const n = numberFromPayload(p);
        if (n === undefined) throw this.#fail('BAD_PAYLOAD', `payload ${snippet(p)} is not a number or special-number name`);
        o = new Number(n);
        break;
      }
      case 'string-object':
        if (typeof p !== 'string') throw this.#fail('BAD_PAYLOAD', 'payload must be a string');
        o = new String(p);
        break;
      case 'bigint-object': {
        const n = bigintFromPayload(p);
        if (n === undefined) throw this.#fail('BAD_PAYLOAD', `payload ${snippet(p)} is not a decimal integer string`);
        o = Object(n);
        break;
      }
      case 'function':
        if (!isRecord(p) || typeof p.name !== 'string') throw this.#fail('BAD_PAYLOAD', 'payload must be { name: string }');
        o = { name: p.name };
        break;
      case 'request-sync':
      case 'response-sync':
        o = this.#sync(tag, p);
        break;
      default:
        throw this.#fail('UNKNOWN_TAG', `unknown entry tag ${snippet(tag)}`);
    }
    this.#out[i] = o;
    this.#at = at;
    this.#tag = previousTag;
    return o;
  }

  /** Fills a container shell; leaves are already complete. */
  #fill(i: number, o: unknown): void {
    const [tag, p] = this.#objects[i] as Entry;
    this.#at = i;
    this.#tag = tag;
    switch (tag) {
      case 'object': {
        const target = o as Record<string, unknown>;
        const source = p as Record<string, unknown>;
        if (target === source && this.#cleanObjectProto) {
          // In place: bare JSON primitives are already their own values. for-in allocates no key
          // list; with nothing enumerable on Object.prototype it sees only the own keys.
          for (const key in source) {
            const x = source[key];
            if (typeof x === 'object' && x !== null) put(target, key, this.#value(x));
          }
        } else {
          const keys = Object.keys(source);
          for (let k = 0; k < keys.length; k++) put(target, keys[k], this.#value(source[keys[k]]));
        }
        break;
      }
      case 'array': {
        const target = o as unknown[];
        const source = p as unknown[];
        if (target === source) {
          for (let k = 0; k < source.length; k++) {
            const x = source[k];
            if (typeof x === 'object' && x !== null) target[k] = this.#value(x);
          }
        } else {
          for (let k = 0; k < source.length; k++) target[k] = this.#value(source[k]);
        }
        break;
      }
      case 'map': {
        const target = o as Map<unknown, unknown>;
        for (const pair of p as unknown[]) {
          if (!Array.isArray(pair) || pair.length !== 2) throw this.#fail('BAD_PAYLOAD', `map entry ${snippet(pair)} is not a [key, value] pair`);
          target.set(this.#value(pair[0]), this.#value(pair[1]));
        }
        break;
      }
      case 'set': {
        const target = o as Set<unknown>;
        const source = p as unknown[];
        for (let k = 0; k < source.length; k++) target.add(this.#value(source[k]));
        break;
      }
      case 'error':
        this.#errorFill(o as Error, p as Record<string, unknown>);
        break;
    }
  }

  /** Runs a platform constructor, turning its error into ours (quoting at most 100 characters). */
  #platform<T>(make: () => T, problem: string): T {
    try {
      return make();
    } catch (e) {
      const detail = e instanceof Error ? `${e.name}: ${e.message}`.slice(0, 100) : 'rejected';
      throw this.#fail('BAD_PAYLOAD', `${problem} (${detail})`);
    }
  }

  #date(p: unknown): Date {
    if (p === null) return new Date(NaN);
    if (typeof p !== 'string' || !ISO_DATE.test(p)) throw this.#fail('BAD_PAYLOAD', `payload ${snippet(p)} is not an ISO-8601 string or null`);
    const d = new Date(p);
    if (d.getTime() !== d.getTime()) throw this.#fail('BAD_PAYLOAD', `payload ${snippet(p)} is not a valid date`);
    return d;
  }

  #regexp(p: unknown): RegExp {
    if (!isRecord(p) || typeof p.source !== 'string' || typeof p.flags !== 'string') {
      throw this.#fail('BAD_PAYLOAD', 'payload must be { source: string, flags: string }');
    }
    const { source, flags } = p;
    if (!REGEXP_FLAGS.test(flags)) throw this.#fail('BAD_PAYLOAD', `bad regexp flags ${snippet(flags)}`);
    return this.#platform(() => new RegExp(source, flags), 'invalid regular expression');
  }

  #headers(p: unknown): Headers {
    if (!Array.isArray(p)) throw this.#fail('BAD_PAYLOAD', 'payload must be an array of [name, value] pairs');
    const headers = new Headers();
    for (const pair of p) {
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') {
        throw this.#fail('BAD_PAYLOAD', `header ${snippet(pair)} is not a [name, value] pair of strings`);
      }
      // Not #platform: the platform's message quotes the value, which may be a credential.
      try {
        headers.append(pair[0], pair[1]);
      } catch {
        throw this.#fail('BAD_PAYLOAD', headerProblem(pair[0]));
      }
    }
    return headers;
  }

  #errorShell(p: unknown): Error {
    if (!isRecord(p) || typeof p.name !== 'string' || typeof p.message !== 'string') {
      throw this.#fail('BAD_PAYLOAD', 'payload must be { name: string, message: string, ... }');
    }
    const ctor = errorClassFor(p.name);
    // The built-in Error constructor with the chosen class as new.target: instanceof holds, and
    // the class's own constructor body (which may need arguments or have effects) never runs.
    const error = Reflect.construct(Error, [p.message], ctor) as Error;
    let protoName: unknown;
    try {
      protoName = (ctor.prototype as { name?: unknown }).name;
    } catch {
      protoName = undefined;
    }
    if (protoName !== p.name) hidden(error, 'name', p.name);
    if (hasOwn.call(p, 'stack')) {
      if (typeof p.stack !== 'string') throw this.#fail('BAD_PAYLOAD', 'stack must be a string');
      hidden(error, 'stack', p.stack);
    } else if (hasOwn.call(error, 'stack')) {
      delete (error as { stack?: string }).stack;
    }
    return error;
  }

  #errorFill(error: Error, p: Record<string, unknown>): void {
    const aggregate = typeof AggregateError === 'function' && error instanceof AggregateError;
    for (const key of Object.keys(p)) {
      if (key === 'name' || key === 'message' || key === 'stack') continue;
      const value = this.#value(p[key]);
      if (key === 'cause' || (aggregate && key === 'errors')) hidden(error, key, value);
      else Object.defineProperty(error, key, { value, enumerable: true, writable: true, configurable: true });
    }
  }

  /** A reference that must point at an entry with one of `tags` (checked before building it). */
  #refTo(x: unknown, tags: readonly string[], what: string): unknown {
    if (Array.isArray(x) && x[0] === '$lmz') {
      const j = x[1];
      if (typeof j === 'number' && Number.isInteger(j) && j >= 0 && j < this.#out.length) {
        const entry = this.#objects[j];
        if (Array.isArray(entry) && !tags.includes(entry[0] as string)) {
          throw this.#fail('BAD_PAYLOAD', `${what} must not point at a ${snippet(entry[0])} entry`);
        }
      }
    }
    return this.#value(x);
  }

  /** A RequestSync/ResponseSync entry: its reviver checks the payload and builds it (sync-parts.ts). */
  #sync(tag: keyof SyncRevivers, p: unknown): object {
    const revive = this.#revivers[tag];
    if (revive === undefined) {
      const name = tag === 'request-sync' ? 'RequestSync' : 'ResponseSync';
      throw this.#fail('NOT_LOADED', `${name} is not loaded in this program; import { ${name} } from '@lumenize/structured-clone' and refer to it (e.g. value instanceof ${name}) so a bundler keeps it`);
    }
    return revive(p, { ref: (x, tags, what) => this.#refTo(x, tags, what), bad: (problem) => this.#fail('BAD_PAYLOAD', problem) });
  }
}

/**
 * Decodes a table with the given RequestSync/ResponseSync revivers (a missing one: such an entry
 * fails with NOT_LOADED). `inPlace` only for a table nobody else holds (see Decoder).
 */
export function decode(data: LmzIntermediate, inPlace: boolean, revivers: Partial<SyncRevivers>): any {
  if (!isRecord(data)) throw new StructuredCloneDecodeError('BAD_SHAPE', 'structured-clone: input must be an object { root, objects }');
  if (!hasOwn.call(data, 'root')) throw new StructuredCloneDecodeError('BAD_SHAPE', 'structured-clone: input has no root member');
  if (!Array.isArray(data.objects)) throw new StructuredCloneDecodeError('BAD_SHAPE', 'structured-clone: input objects member must be an array');
  return new Decoder(data.objects, inPlace, revivers).decode(data.root);
}
