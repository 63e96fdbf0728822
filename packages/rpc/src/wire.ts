/**
 * The compact wire encoding, version 1 (docs/rpc.md#wire-format). Every message is JSON text:
 *
 *   request   [type, 1, [entry...]]            entry    [id, ops, also?, inspect?]
 *   response  [type, 1, [result...]]           result   [id, 1, value] | [id, 0, error]
 *   downstream ['__downstream', 1, value]
 *
 * `ops`: a `get` is its key (string or number); an `apply` is `[args]` or `[args, nested]`, nested
 * entries `[path, chain]`, `[path, chain, refId]` or `[path, 0, refId]` (alias). A value is plain JSON
 * when it is JSON-exact (no undefined, -0, NaN, shared or cyclic objects, rich types); otherwise
 * `{"$sc": <structured-clone intermediate>}`. A result holding functions is `{"$r": value, "$fn":
 * [[path, name]...]}`, the function slots null. Decoding never trusts the shape beyond these rules.
 */
import { preprocess, postprocessLoaded, type PreprocessTransform } from '@lumenize/structured-clone';
import type { LmzIntermediate } from '@lumenize/structured-clone';
import type { WireNestedOperation, WireOperation, WireOperationChain } from '@lumenize/mesh/client';
import type { RpcBatchEntry, RpcResultEntry } from './types.ts';
import { WIRE_VERSION } from './limits.ts';

/** A path below a result to a function, and the function's name. */
export type FunctionSlot = [path: (string | number)[], name: string];

const MAX_LITERAL_DEPTH = 100;

/** True when `JSON.parse(JSON.stringify(v))` gives back an equal value graph. */
function isJsonExact(v: unknown, seen: Set<object>, depth: number): boolean {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(v) && !Object.is(v, -0);
    case 'object': {
      if (v === null) return true;
      if (depth > MAX_LITERAL_DEPTH || seen.has(v)) return false;
      seen.add(v);
      if (Array.isArray(v)) {
        if (Object.getPrototypeOf(v) !== Array.prototype) return false;
        for (let i = 0; i < v.length; i++) if (!(i in v) || !isJsonExact(v[i], seen, depth + 1)) return false;
        return true;
      }
      if (Object.getPrototypeOf(v) !== Object.prototype) return false;
      if (Object.getOwnPropertySymbols(v).length) return false;
      for (const key of Object.keys(v)) {
        if (key === '$sc' || key === '$r' || key === '__proto__') return false;
        const d = Object.getOwnPropertyDescriptor(v, key)!;
        if (!('value' in d) || !isJsonExact(d.value, seen, depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/** True when `v` travels as plain JSON (no functions, class instances, rich types, shared objects). */
export function isPlainJson(v: unknown): boolean {
  return isJsonExact(v, new Set(), 0);
}

/** Encodes a value: plain JSON when exact, else structured-clone's intermediate. */
export function encodeValue(value: unknown, transform?: PreprocessTransform): unknown {
  if (isJsonExact(value, new Set(), 0)) return value;
  return { $sc: preprocess(value, transform ? { transform } : undefined) };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Decodes {@link encodeValue}'s output (fresh from JSON.parse). */
export function decodeValue(encoded: unknown): unknown {
  if (isRecord(encoded) && Object.hasOwn(encoded, '$sc')) return postprocessLoaded(encoded.$sc as LmzIntermediate);
  return encoded;
}

/** Encodes a result whose functions were replaced by null at `fns`. */
export function encodeResult(value: unknown, fns: FunctionSlot[]): unknown {
  const v = encodeValue(value);
  return fns.length ? { $r: v, $fn: fns } : v;
}

/** Decodes a result; `place` puts a callable at each function slot. */
export function decodeResult(encoded: unknown, place: (root: unknown, slot: FunctionSlot) => unknown): unknown {
  if (!isRecord(encoded) || !Object.hasOwn(encoded, '$r')) return decodeValue(encoded);
  let root = decodeValue(encoded.$r);
  const fns = encoded.$fn;
  if (Array.isArray(fns)) for (const slot of fns) if (isFunctionSlot(slot)) root = place(root, slot);
  return root;
}

function isFunctionSlot(v: unknown): v is FunctionSlot {
  return Array.isArray(v) && Array.isArray(v[0]) && typeof v[1] === 'string' && v[0].every((k: unknown) => typeof k === 'string' || typeof k === 'number');
}

// ---- operations ----

/**
 * Wire chain → compact ops (args encoded; `transform` applies to argument values). Argument lists in
 * `plain` were found JSON-exact by the caller in the same synchronous turn and are not walked again.
 */
export function encodeOps(chain: WireOperationChain, transform?: PreprocessTransform, plain?: ReadonlySet<unknown[]>): unknown[] {
  return chain.map((op) => {
    if (op.type === 'get') return op.key;
    const args = plain?.has(op.args) ? op.args : encodeValue(op.args, transform);
    if (!op.nested?.length) return [args];
    return [args, op.nested.map((n) => (n.chain ? (n.refId ? [n.path, encodeOps(n.chain, transform, plain), n.refId] : [n.path, encodeOps(n.chain, transform, plain)]) : [n.path, 0, n.refId]))];
  });
}

/** Compact ops → wire chain (shape problems throw TypeError; the OCAN decoder checks the rest). */
export function decodeOps(ops: unknown, level = 0): WireOperationChain {
  if (!Array.isArray(ops)) throw new TypeError('Invalid operation chain: operations must be an array');
  if (level > 64) throw new RangeError('Operation chain too deep: nested more than 64 levels');
  return ops.map((op, i): WireOperation => {
    if (typeof op === 'string' || typeof op === 'number') return { type: 'get', key: op };
    if (!Array.isArray(op) || op.length < 1 || op.length > 2) throw new TypeError(`Invalid operation chain: operation ${i} is malformed`);
    const args = decodeValue(op[0]);
    if (!Array.isArray(args)) throw new TypeError(`Invalid operation chain: args of operation ${i} must be an array`);
    if (op.length === 1) return { type: 'apply', args };
    if (!Array.isArray(op[1])) throw new TypeError(`Invalid operation chain: nested of operation ${i} must be an array`);
    const nested = op[1].map((n: unknown): WireNestedOperation => {
      if (!Array.isArray(n) || n.length < 2 || n.length > 3) throw new TypeError(`Invalid operation chain: a nested entry of operation ${i} is malformed`);
      const out: WireNestedOperation = { path: n[0] as (string | number)[] };
      if (n[1] !== 0) out.chain = decodeOps(n[1], level + 1);
      if (n.length === 3) out.refId = n[2] as string;
      return out;
    });
    return { type: 'apply', args, nested };
  });
}

// ---- messages ----

/** Encodes a request message from entries already in compact form. */
export function encodeRequestMessage(type: string, entries: unknown[]): string {
  return JSON.stringify([type, WIRE_VERSION, entries]);
}

/** Compact form of one batch entry (`plain`: see {@link encodeOps}). */
export function encodeEntry(entry: RpcBatchEntry, transform?: PreprocessTransform, plain?: ReadonlySet<unknown[]>): unknown[] {
  const out: unknown[] = [entry.id, encodeOps(entry.operations, transform, plain)];
  if (entry.also?.length || entry.inspect) out.push(entry.also?.map((a) => [a.id, a.at]) ?? 0);
  if (entry.inspect) out.push(1);
  return out;
}

/** A request message parsed but not yet decoded: entries stay compact until each is decoded. */
export interface ParsedRequest {
  entries: unknown[];
}

/** Parses request text; undefined when it is not an RPC message of `type`. Throws on wrong version. */
export function parseRequestMessage(text: string, type: string): ParsedRequest | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed[0] !== type) return undefined;
  if (parsed[1] !== WIRE_VERSION) throw new TypeError(`Unsupported RPC wire version ${JSON.stringify(parsed[1])}: this server speaks version ${WIRE_VERSION}; update the client`);
  if (!Array.isArray(parsed[2])) throw new TypeError('Invalid RPC batch: entries must be an array');
  return { entries: parsed[2] };
}

/** Decodes one compact entry. */
export function decodeEntry(raw: unknown): RpcBatchEntry {
  if (!Array.isArray(raw) || typeof raw[0] !== 'number' || !Number.isSafeInteger(raw[0])) throw new TypeError('Invalid RPC batch entry: expected [id, operations, ...]');
  const entry: RpcBatchEntry = { id: raw[0], operations: decodeOps(raw[1]) };
  if (Array.isArray(raw[2])) {
    entry.also = raw[2].map((a: unknown) => {
      if (!Array.isArray(a) || typeof a[0] !== 'number' || (typeof a[1] !== 'number' && typeof a[1] !== 'string')) throw new TypeError('Invalid RPC batch entry: malformed also list');
      return { id: a[0], at: a[1] };
    });
  }
  if (raw[3] === 1) entry.inspect = true;
  return entry;
}

/** Encodes results (values already encoded with encodeResult / encodeValue). */
export function encodeResponseMessage(type: string, results: unknown[]): string {
  return JSON.stringify([type, WIRE_VERSION, results]);
}

/** Parses a response message into result entries (values decoded by `decode`); a refused batch (parse-error entry) throws its error. */
export function parseResponseMessage(text: string, type: string, decode: (id: number, encoded: unknown, ok: boolean) => unknown): RpcResultEntry[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed[0] !== type || parsed[1] !== WIRE_VERSION || !Array.isArray(parsed[2])) return undefined;
  const out: RpcResultEntry[] = [];
  for (const r of parsed[2] as unknown[]) {
    if (Array.isArray(r) && r[0] === 'parse-error') throw decodeValue(r[2]);
    if (!Array.isArray(r) || typeof r[0] !== 'number') continue;
    const ok = r[1] === 1;
    let value: unknown;
    try {
      value = decode(r[0], r[2], ok);
    } catch (error) {
      out.push({ id: r[0], success: false, error });
      continue;
    }
    out.push(ok ? { id: r[0], success: true, result: value } : { id: r[0], success: false, error: value });
  }
  return out;
}
