/**
 * Seeded hostile client frames for the gateway decoder fuzz (frame-fuzz.test.ts in workerd,
 * node/frame-fuzz.node.test.ts timed in Node): mutated valid frames, random JSON, truncations, deep
 * nesting, huge numbers and strings, duplicate keys, `__proto__`/`constructor` keys, and the checks
 * every decoder must pass on each of them. Runtime-neutral.
 */
import { postprocess, preprocess } from '@lumenize/structured-clone';
import { seededRandom } from '../../../../tools/seeded-random.ts';
import { isSerializedValue, parseClientFrame } from '../../src/client/frames.ts';
import { serializeChain, serializeCompactChain } from '../../src/envelope.ts';
import { intermediateTextProblem, payloadText } from '../../src/gateway/intermediate-text.ts';
import { decodeCompactChain, isCompactChainShape } from '../../src/wire/chain.ts';
import { encodePayload } from '../../src/wire/payload.ts';
import { memberText } from '../../src/gateway/member-text.ts';
import { newContinuation } from '../../src/ocan/continuation.ts';

export interface FuzzCase {
  kind: string;
  text: string;
}

type Rand = () => number;

const int = (rand: Rand, n: number) => Math.floor(rand() * n);
const pick = <T>(rand: Rand, items: readonly T[]): T => items[int(rand, items.length)]!;

const KEYS = ['type', 'callId', 'binding', 'instance', 'chain', 'result', 'error', 'success', 'seq', 'ack', 'root', 'objects', '__proto__', 'constructor', 'prototype', 'batch', 'x', 't', 'i', 'd', 'o', 'c', 'f', 's', 'a'];
const NUMBERS = ['0', '-0', '1', '-1', '1.5', '1e999', '-1e999', '123456789012345678901234567890', '9007199254740993', '1e-400', '0.0000001', '2e308'];
const STRINGS = ['', 'call', 'ack', 'incoming_call_response', '1,"seq":999', '}', '"', '\\', '\u2028', '\u0000', 'é', '😀', '\ud800', 'x'.repeat(300)];
const CHARS = ['{', '}', '[', ']', '"', ':', ',', '\\', '0', '9', '-', 'e', '.', ' ', 'a', 'u', '\u0000', '\u2028', 'é', '😀', '\ud800', 'n', 't'];

/** Random JSON text written directly, so duplicate and `__proto__` keys survive. */
function jsonText(rand: Rand, depth: number): string {
  const r = rand();
  if (depth > 4 || r < 0.35) {
    const k = int(rand, 4);
    if (k === 0) return pick(rand, NUMBERS);
    if (k === 1) return JSON.stringify(pick(rand, STRINGS));
    return pick(rand, ['true', 'false', 'null']);
  }
  const n = int(rand, 5);
  if (r < 0.6) return `[${Array.from({ length: n }, () => jsonText(rand, depth + 1)).join(',')}]`;
  return `{${Array.from({ length: n }, () => `${JSON.stringify(pick(rand, KEYS))}:${jsonText(rand, depth + 1)}`).join(',')}}`;
}

/** A random structured-clone-able value (for valid chains and results). */
function randomValue(rand: Rand, depth = 0): unknown {
  const k = int(rand, depth > 2 ? 5 : 9);
  switch (k) {
    case 0: return int(rand, 1000) - 500;
    case 1: return pick(rand, STRINGS);
    case 2: return rand() < 0.5;
    case 3: return null;
    case 4: return pick(rand, [NaN, Infinity, -0, 2n ** 70n, undefined]);
    case 5: return Array.from({ length: int(rand, 4) }, () => randomValue(rand, depth + 1));
    case 6: return new Map([[randomValue(rand, depth + 1), randomValue(rand, depth + 1)]]);
    case 7: return new Date(int(rand, 2_000_000_000_000));
    default: return Object.fromEntries(Array.from({ length: int(rand, 4) }, () => [pick(rand, KEYS), randomValue(rand, depth + 1)]));
  }
}

/** A well-formed client frame text. */
export function validFrame(rand: Rand, n: number): string {
  const k = int(rand, 5);
  if (k === 3) {
    // Compact wire (docs/mesh-clients.md "Wire format"): a call, alone or in a compact batch.
    const chain = serializeCompactChain(newContinuation<{ echo(v: unknown): unknown }>().echo(randomValue(rand)));
    const call = { i: n + 1, d: rand() < 0.5 ? 1 : [1, 'ECHO', 'fuzz'], ...(chain[0] === 0 && rand() < 0.7 ? { o: chain[1] } : { c: chain }) };
    return rand() < 0.5 ? JSON.stringify({ t: 'c', ...call, s: n + 1, a: 0 }) : JSON.stringify({ t: 'b', f: [call, { ...call, i: n + 2 }], s: n + 1, a: 0 });
  }
  if (k === 4) return JSON.stringify(encodePayload(randomValue(rand), preprocess));
  if (k === 0) {
    const chain = serializeChain(newContinuation<{ echo(v: unknown): unknown }>().echo(randomValue(rand)));
    return JSON.stringify({ type: 'call', callId: `c${n}`, binding: 'ECHO', instance: 'fuzz', chain, ...(rand() < 0.5 ? { seq: n + 1, ack: 0 } : {}) });
  }
  if (k === 1) {
    const ok = rand() < 0.7;
    return JSON.stringify({ type: 'incoming_call_response', callId: `i${n}`, success: ok, [ok ? 'result' : 'error']: preprocess(ok ? randomValue(rand) : new Error('e')) });
  }
  return JSON.stringify({ type: 'ack', ack: int(rand, 10) });
}

/** One mutation of a valid frame. */
function mutate(rand: Rand, text: string): FuzzCase {
  const at = int(rand, text.length + 1);
  switch (int(rand, 10)) {
    case 0: return { kind: 'truncated', text: text.slice(0, at) };
    case 1: return { kind: 'char inserted', text: text.slice(0, at) + pick(rand, CHARS) + text.slice(at) };
    case 2: return { kind: 'char deleted', text: text.slice(0, at) + text.slice(at + 1) };
    case 3: return { kind: 'char replaced', text: text.slice(0, at) + pick(rand, CHARS) + text.slice(at + 1) };
    case 4: return { kind: 'duplicate key', text: `{${JSON.stringify(pick(rand, KEYS))}:${jsonText(rand, 3)},${text.slice(1)}` };
    case 5: return { kind: 'duplicate key at end', text: `${text.slice(0, -1)},${JSON.stringify(pick(rand, KEYS))}:${jsonText(rand, 3)}}` };
    case 6: return { kind: '__proto__ key', text: text.replace('{', pick(rand, ['{"__proto__":{"polluted":true},', '{"constructor":{"prototype":{"polluted":true}},', '{"chain":{"__proto__":{"polluted":true},"root":1,"objects":[]},'])) };
    case 7: return { kind: 'huge number', text: text.replace(/(\d+)/, pick(rand, NUMBERS)) };
    case 8: {
      const depth = pick(rand, [65, 500, 5_000, 50_000]);
      const open = pick(rand, ['[', '{"a":']);
      const close = open === '[' ? ']' : '}';
      return { kind: 'deep nesting', text: `${text.slice(0, -1)},"chain":${open.repeat(depth)}1${close.repeat(rand() < 0.8 ? depth : depth - 1)}}` };
    }
    default: return { kind: 'huge string', text: `${text.slice(0, -1)},"result":"${'a'.repeat(int(rand, 400_000))}${pick(rand, ['"', '\\"', ''])}}` };
  }
}

/** `count` seeded cases: ~70% mutated valid frames, the rest random JSON and valid frames. */
export function frameCases(seed: number, count: number): FuzzCase[] {
  const rand = seededRandom(seed);
  const out: FuzzCase[] = [];
  for (let n = 0; n < count; n++) {
    const r = rand();
    if (r < 0.7) out.push(mutate(rand, validFrame(rand, n)));
    else if (r < 0.9) out.push({ kind: 'random JSON', text: jsonText(rand, 0) });
    else out.push({ kind: 'valid frame', text: validFrame(rand, n) });
  }
  return out;
}

/** Deep equality of two JSON.parse results, iterative (hostile nesting would overflow a recursive one). */
function sameJson(a: unknown, b: unknown): boolean {
  const stack: Array<[unknown, unknown]> = [[a, b]];
  while (stack.length > 0) {
    const [x, y] = stack.pop()!;
    if (typeof x !== 'object' || x === null || typeof y !== 'object' || y === null) {
      if (!Object.is(x, y)) return false;
      continue;
    }
    if (Array.isArray(x) !== Array.isArray(y)) return false;
    const kx = Object.keys(x);
    const ky = Object.keys(y);
    if (kx.length !== ky.length) return false;
    for (const k of kx) {
      if (!Object.hasOwn(y, k)) return false;
      stack.push([(x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k]]);
    }
  }
  return true;
}

function tryParse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/**
 * Runs every decoder on one case and checks they agree with JSON.parse; returns a problem text, or
 * undefined when all is well. Never throws for a decoder bug: the bug is the returned problem.
 * `timing.ms` accumulates the time spent in the gateway's decoders only (with a clock).
 */
export function checkCase(c: FuzzCase, timing?: { now: () => number; ms: number }): string | undefined {
  const timed = <T>(fn: () => T): T => {
    if (!timing) return fn();
    const t0 = timing.now();
    try {
      return fn();
    } finally {
      timing.ms += timing.now() - t0;
    }
  };
  try {
    const parsed = timed(() => parseClientFrame(c.text));
    const json = tryParse(c.text);
    if (parsed.ok && !json.ok) return 'parseClientFrame accepted text JSON.parse refuses';
    if (parsed.ok && parsed.frame.type === 'call' && !parsed.frame.compact && !isSerializedValue(parsed.frame.chain)) return 'call accepted without a serialized chain';
    if (parsed.ok && parsed.frame.type === 'call' && parsed.frame.compact && !isCompactChainShape(parsed.frame.chain)) return 'compact call accepted without a compact chain';
    if (parsed.ok && parsed.frame.type === 'call' && parsed.frame.compact) {
      const chain = parsed.frame.chain;
      try {
        timed(() => decodeCompactChain(chain, false, postprocess));
      } catch (e) {
        // Refusing is right; only a crash of the decoder itself is a bug.
        if (!(e instanceof TypeError || e instanceof RangeError) || /call stack/i.test(String(e))) return `decodeCompactChain crashed: ${String(e)}`;
      }
    }
    const payload = timed(() => payloadText(c.text));
    // The tag is written as the digit 0 or 1 (the scanner does not take `0.0`, `-0` or `1e0`).
    const tagWritten = /^\s*\[\s*[01]\s*,/.test(c.text);
    const isPayload = tagWritten && json.ok && Array.isArray(json.value) && json.value.length === 2 && (json.value[0] === 0 || (json.value[0] === 1 && isSerializedValue(json.value[1])));
    if (!('problem' in payload) && !isPayload) return 'payloadText accepted a text that is not one payload';
    if ('problem' in payload && isPayload && !/duplicate|nesting/.test(payload.problem)) return `payloadText refused a payload: ${payload.problem}`;
    const problem = timed(() => intermediateTextProblem(c.text));
    if (problem === undefined && !(json.ok && isSerializedValue(json.value))) return 'intermediateTextProblem accepted a text that is not one intermediate';
    if (problem !== undefined && json.ok && isSerializedValue(json.value) && !/duplicate|nesting/.test(problem)) return `intermediateTextProblem refused an intermediate: ${problem}`;
    if (!json.ok) return undefined; // memberText runs only on text JSON.parse accepted
    const record = typeof json.value === 'object' && json.value !== null && !Array.isArray(json.value) ? (json.value as Record<string, unknown>) : undefined;
    for (const name of ['chain', 'result', 'error', 'o', 'c', 'f']) {
      const slice = timed(() => memberText(c.text, name));
      const expected = record && Object.hasOwn(record, name) ? record[name] : undefined;
      if (expected === undefined) {
        if (slice !== undefined) return `memberText found '${name}' that JSON.parse does not have`;
        continue;
      }
      if (slice === undefined || !sameJson(JSON.parse(slice), expected)) return `memberText disagrees with JSON.parse on '${name}'`;
      if (name === 'o' || name === 'c' || name === 'f') continue;
      const sliceProblem = timed(() => intermediateTextProblem(slice));
      if (sliceProblem === undefined && !isSerializedValue(expected)) return `intermediateTextProblem accepted member '${name}' that is not an intermediate`;
    }
    return undefined;
  } catch (e) {
    return `decoder threw: ${String(e)}`;
  }
}

/** Own property names of the prototypes a hostile `__proto__` key could pollute. */
export function prototypeSnapshot(): string {
  return JSON.stringify([Object.prototype, Array.prototype, Function.prototype].map((p) => Object.getOwnPropertyNames(p).sort()));
}
