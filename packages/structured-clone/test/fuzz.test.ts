/**
 * Hostile-input fuzz (issue item 4, spec §5): 12,000 seeded payloads, generated from random value
 * graphs and then mutated (as data and as text). Each decode must either return a value or throw
 * one of the package's error classes (or, for text that is not JSON, JSON.parse's SyntaxError);
 * nothing may pollute a prototype, run a constructor named by the input, or overflow the stack.
 * Reproducible: the seed is fixed and each failure message carries its case number.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FetchSyncRangeError,
  FetchSyncTypeError,
  parse,
  postprocess,
  preprocess,
  RequestSync,
  ResponseSync,
  stringify,
  StructuredCloneDecodeError,
  type LmzIntermediate,
} from '../src/index.ts';
import { seededRandom } from '../../../tools/seeded-random.ts';

const SEED = 0x5eed1234;
const GENERATED = 4_000; // each yields one data mutation and one text mutation, plus the clean decode

const g = globalThis as Record<string, unknown>;
let spyRuns = 0;
class FuzzSpyError extends Error {
  constructor() {
    super('spy');
    spyRuns++;
  }
}
function FuzzSpyFunction() {
  spyRuns++;
}

const HOSTILE_STRINGS = [
  '__proto__',
  'constructor',
  'prototype',
  'Function',
  'eval',
  'WebSocket',
  'Proxy',
  'FuzzSpyError',
  'FuzzSpyFunction',
  'Buffer',
  'SharedArrayBuffer',
  '$lmz',
  'object',
  'array',
  'map',
  'set',
  'error',
  'date',
  'regexp',
  'headers',
  'url',
  'arraybuffer',
  'request-sync',
  'response-sync',
  'number-object',
  'bigint',
  'NaN',
  '-0',
  'AQID',
  '====',
  'x'.repeat(300),
  '',
];
const TAGS = HOSTILE_STRINGS.slice(11, 27);

const PROTOTYPES: Array<[string, object]> = [
  ['Object', Object.prototype],
  ['Array', Array.prototype],
  ['Function', Function.prototype],
  ['Error', Error.prototype],
  ['Map', Map.prototype],
  ['Set', Set.prototype],
  ['String', String.prototype],
];
const snapshot = () => PROTOTYPES.map(([name, proto]) => `${name}:${Reflect.ownKeys(proto).map(String).sort().join(',')}`);

function randomValue(rand: () => number, depth: number, pool: object[]): unknown {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)];
  const r = rand();
  if (depth <= 0 || r < 0.35) {
    return pick<unknown>([0, -0, 1.5, -7, NaN, Infinity, -Infinity, 2 ** 53, 'str', '', '\u2028', true, false, null, undefined, 12n, -(2n ** 70n), pick(HOSTILE_STRINGS)]);
  }
  if (pool.length > 0 && r < 0.45) return pick(pool); // aliases and cycles
  const next = () => randomValue(rand, depth - 1, pool);
  const kind = Math.floor(rand() * 16);
  let value: object;
  switch (kind) {
    case 0:
    case 1: {
      const o: Record<string, unknown> = {};
      pool.push(o);
      const n = Math.floor(rand() * 4);
      for (let i = 0; i < n; i++) {
        // defineProperty: an own "__proto__" key, never a prototype change
        Object.defineProperty(o, pick(['a', 'b', 'c', '__proto__', 'constructor', 'k' + i]), { value: next(), enumerable: true, writable: true, configurable: true });
      }
      return o;
    }
    case 2:
    case 3: {
      const a: unknown[] = [];
      pool.push(a);
      const n = Math.floor(rand() * 4);
      for (let i = 0; i < n; i++) a.push(next());
      return a;
    }
    case 4: {
      const m = new Map<unknown, unknown>();
      pool.push(m);
      m.set(next(), next());
      if (rand() < 0.3) m.set(m, 'self');
      return m;
    }
    case 5: {
      const s = new Set<unknown>([next(), next()]);
      pool.push(s);
      return s;
    }
    case 6:
      value = new Date(rand() < 0.9 ? Math.floor(rand() * 4e12) : NaN);
      break;
    case 7:
      value = new RegExp('a[bc]+' + pick(['', '\\d', '(x)']), pick(['', 'g', 'gimsuy', 'v']));
      break;
    case 8: {
      const e = new (pick([Error, TypeError, RangeError, AggregateError as unknown as ErrorConstructor]))('m') as Error & Record<string, unknown>;
      pool.push(e);
      e.extra = next();
      if (rand() < 0.5) e.cause = next();
      return e;
    }
    case 9:
      value = pick([new Uint8Array([1, 2, 3]), new Float64Array([NaN, -0]), new BigInt64Array([-1n]), new DataView(new ArrayBuffer(3)), new ArrayBuffer(5), new Int16Array(2)]);
      break;
    case 10:
      value = new URL(pick(['https://example.com/a?b#c', 'http://u:p@h:81/']));
      break;
    case 11:
      value = new Headers([['x-a', '1'], ['set-cookie', 'c=1']]);
      break;
    case 12:
      value = pick<object>([new Number(-0), new String('s'), new Boolean(false), Object(5n)]);
      break;
    case 13:
      value = pick([function named() {}, () => 1]);
      break;
    case 14:
      value = new RequestSync('https://example.com/r', { method: 'POST', body: { n: 1 }, headers: { a: 'b' }, mode: 'no-cors' });
      break;
    default:
      value = new ResponseSync(rand() < 0.5 ? 'text' : new Uint8Array([1]), { status: 201, url: 'https://e.com/' });
  }
  pool.push(value);
  return value;
}

/** Every (container, key) slot of a JSON tree, for picking a mutation point. */
function slots(root: unknown): Array<[Record<string | number, unknown>, string | number]> {
  const out: Array<[Record<string | number, unknown>, string | number]> = [];
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null) continue;
    for (const key of Object.keys(node)) {
      const k = Array.isArray(node) ? Number(key) : key;
      out.push([node as Record<string | number, unknown>, k]);
      stack.push((node as Record<string, unknown>)[key]);
    }
  }
  return out;
}

function junk(rand: () => number, objectCount: number): unknown {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)];
  const options: Array<() => unknown> = [
    () => pick(HOSTILE_STRINGS),
    () => pick([-1, 0, 0.5, 1e9, objectCount, objectCount - 1, -0, 2 ** 31]),
    () => null,
    () => true,
    () => ['$lmz', pick([0, objectCount, -1, 1.5, '0', objectCount - 1])],
    () => [pick(TAGS), pick<unknown>([{}, [], 'x', 1, null, [['a', 'b']], { type: 'Uint8Array', data: 'AQID' }])],
    () => [pick(['undefined', 'number', 'bigint', 'null', 'string', 'boolean', 'nope']), pick<unknown>(['NaN', '-0', '12', 'x', 1, true])],
    () => JSON.parse('{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 2}}}'),
    () => ({ name: pick(HOSTILE_STRINGS), message: 'm', stack: pick<unknown>(['s', 1]) }),
    () => ({ type: pick(HOSTILE_STRINGS.concat(['Float32Array', 'DataView'])), data: pick(['AQID', 'AQIDBA==', '*', '']) }),
    () => ({ href: pick(['https://x/', 'nope', '']) }),
    () => ({ source: pick(['(', 'a+', '[']), flags: pick(['', 'gg', 'x', 'uv']) }),
    () => [[pick(['a', 'bad name', '']), pick(['v', 'line\nbreak'])]],
    () => ({ url: pick(['https://x/', '/rel']), method: pick(['GET', 'POST', 'TRACE', 1]), status: pick([0, 200, 204, 600, '200']), body: pick<unknown>([null, 'x', ['$lmz', 0], 5]) }),
  ];
  return pick(options)();
}

function mutateData(data: LmzIntermediate, rand: () => number): unknown {
  const copy = JSON.parse(JSON.stringify(data)) as LmzIntermediate & Record<string, unknown>;
  const count = 1 + Math.floor(rand() * 3);
  for (let m = 0; m < count; m++) {
    const places = slots(copy);
    const objectCount = Array.isArray(copy.objects) ? copy.objects.length : 0;
    const choice = rand();
    if (choice < 0.05) {
      return junk(rand, objectCount); // replace everything
    } else if (choice < 0.15 && objectCount > 1) {
      const i = Math.floor(rand() * copy.objects.length);
      const j = Math.floor(rand() * copy.objects.length);
      [copy.objects[i], copy.objects[j]] = [copy.objects[j], copy.objects[i]];
    } else if (choice < 0.25 && places.length > 0) {
      const [container, key] = places[Math.floor(rand() * places.length)];
      if (Array.isArray(container)) container.splice(key as number, 1);
      else delete container[key];
    } else if (places.length > 0) {
      const [container, key] = places[Math.floor(rand() * places.length)];
      container[key] = junk(rand, objectCount);
    }
  }
  return copy;
}

function mutateText(text: string, rand: () => number): string {
  const at = Math.floor(rand() * (text.length + 1));
  const choice = rand();
  if (choice < 0.3) return text.slice(0, at) + text.slice(at + 1 + Math.floor(rand() * 5));
  if (choice < 0.6) return text.slice(0, at) + ['"', ',', ']', '[', '{', '}', '0', '-', 'e', '\\'][Math.floor(rand() * 10)] + text.slice(at);
  if (choice < 0.8) return text.slice(0, at);
  // a digit flip turns indexes and numbers into other numbers
  return text.replace(/\d/g, (d) => (rand() < 0.1 ? String((Number(d) + 1) % 10) : d));
}

function isPackageError(e: unknown): boolean {
  return e instanceof StructuredCloneDecodeError || e instanceof FetchSyncTypeError || e instanceof FetchSyncRangeError;
}

describe('hostile input fuzz', () => {
  let before: string[];
  beforeAll(() => {
    g.FuzzSpyError = FuzzSpyError;
    g.FuzzSpyFunction = FuzzSpyFunction;
    before = snapshot();
  });
  afterAll(() => {
    delete g.FuzzSpyError;
    delete g.FuzzSpyFunction;
  });

  it('12,000 generated and mutated payloads decode to a value or a package error; no pollution, no hostile constructor, no overflow', () => {
    const rand = seededRandom(SEED);
    const failures: string[] = [];
    let cases = 0;
    let returned = 0;
    let rejected = 0;
    const check = (label: string, run: () => unknown, text?: string) => {
      cases++;
      try {
        run();
        returned++;
      } catch (e) {
        rejected++;
        if (isPackageError(e)) return;
        if (text !== undefined && e instanceof SyntaxError) {
          try {
            JSON.parse(text);
          } catch {
            return; // not JSON: JSON.parse's SyntaxError is the specified outcome
          }
        }
        if (failures.length < 10) failures.push(`${label}: ${(e as Error)?.name}: ${String((e as Error)?.message).slice(0, 200)}`);
      }
    };
    for (let i = 0; i < GENERATED; i++) {
      const value = randomValue(rand, 4, []);
      const data = preprocess(value);
      const text = JSON.stringify(data);
      check(`case ${i} clean`, () => parse(text), text);
      const mutated = mutateData(data, rand);
      check(`case ${i} data-mutated`, () => postprocess(mutated as LmzIntermediate));
      const mutatedText = mutateText(text, rand);
      check(`case ${i} text-mutated`, () => parse(mutatedText), mutatedText);
    }
    expect(failures).toEqual([]);
    expect(cases).toBeGreaterThanOrEqual(12_000);
    expect(rejected).toBeGreaterThan(1_000); // the mutations really produce bad input...
    expect(returned).toBeGreaterThan(4_000); // ...and clean payloads decode
    expect(spyRuns).toBe(0);
    expect(snapshot()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('hostile shapes: deep JSON nesting, a sparse table, many references to one entry, reference chains', () => {
    const deepText = '{"root":' + '['.repeat(100_000) + ']'.repeat(100_000) + ',"objects":[]}';
    expect(() => parse(deepText)).toThrow(StructuredCloneDecodeError);

    const sparse: unknown[] = [];
    sparse.length = 1_000_000_000;
    expect(() => postprocess({ root: null, objects: sparse })).toThrow(StructuredCloneDecodeError);

    const refs = Array.from({ length: 100_000 }, () => ['$lmz', 1]);
    const many = postprocess({ root: ['$lmz', 0], objects: [['array', refs], ['object', { big: 'x' }]] });
    expect(many).toHaveLength(100_000);
    expect(many[0]).toBe(many[99_999]);

    const chain = Array.from({ length: 50_000 }, (_, i) => ['array', i + 1 < 50_000 ? [['$lmz', i + 1]] : []]);
    let node = postprocess({ root: ['$lmz', 0], objects: chain });
    let depth = 0;
    while (node.length) {
      node = node[0];
      depth++;
    }
    expect(depth).toBe(49_999);
  });

  it('random graphs: stringify(v) equals JSON.stringify(preprocess(v)), and re-encoding a decoded graph is stable', () => {
    const rand = seededRandom(SEED + 1);
    for (let i = 0; i < 300; i++) {
      const value = randomValue(rand, 3, []);
      expect(stringify(value)).toBe(JSON.stringify(preprocess(value)));
      const once = parse(stringify(value));
      expect(stringify(once)).toBe(stringify(parse(stringify(once))));
    }
  });
});
