/**
 * structured-clone benchmark: ours vs @ungap/structured-clone/json, devalue, superjson and plain
 * JSON, in the same process, on the shapes of fixtures.ts. For each library and shape: stringify
 * ops/s, parse ops/s, round trip (stringify + parse) ops/s, output bytes, and the round-trip ratio
 * ours ÷ peer in ops/s (above 1 means ours is faster). A peer whose round trip does not reproduce
 * the shape (checked with sameGraph, identity included) or throws is marked n/a and not timed.
 * Then the spec §8 targets and gates, each PASS or MISS. Method: bench/structured-clone/README.md.
 */
import * as ungap from '@ungap/structured-clone/json';
import * as devalue from 'devalue';
import superjson from 'superjson';
import { parse, stringify } from '@lumenize/structured-clone';
import { compare, formatOps, formatRatio, measure, table, today, writeResults, machineLoad } from '../lib/harness.ts';
import { cyclicGraph, SHAPES, sharedSubtree } from './fixtures.ts';
import { sameGraph } from './same-graph.ts';

const loadAtStart = machineLoad();

interface Codec {
  name: string;
  stringify: (value: unknown) => string;
  parse: (text: string) => unknown;
}

const OURS: Codec = { name: '@lumenize/structured-clone', stringify: (v) => stringify(v), parse: (t) => parse(t) };
const PEERS: Codec[] = [
  { name: '@ungap/structured-clone/json', stringify: (v) => ungap.stringify(v), parse: (t) => ungap.parse(t) },
  { name: 'devalue', stringify: (v) => devalue.stringify(v), parse: (t) => devalue.parse(t) },
  { name: 'superjson', stringify: (v) => superjson.stringify(v), parse: (t) => superjson.parse(t) },
  { name: 'JSON', stringify: (v) => JSON.stringify(v), parse: (t) => JSON.parse(t) },
];

interface Result {
  supported: boolean;
  reason?: string;
  bytes?: number;
  stringifyMs?: number;
  parseMs?: number;
  roundTripMs?: number;
}

const utf8 = new TextEncoder();

/** Checks each codec on the shape, then times the ones that reproduce it, interleaved. */
function runShape(codecs: Codec[], value: unknown): Map<string, Result> {
  const out = new Map<string, Result>();
  const cases: Array<[string, () => unknown]> = [];
  const texts = new Map<string, string>();
  for (const codec of codecs) {
    let text: string;
    try {
      text = codec.stringify(value);
      if (!sameGraph(value, codec.parse(text))) {
        out.set(codec.name, { supported: false, reason: 'does not reproduce the shape' });
        continue;
      }
    } catch (e) {
      out.set(codec.name, { supported: false, reason: `throws: ${String((e as Error).message).slice(0, 60)}` });
      continue;
    }
    texts.set(codec.name, text);
    cases.push([`${codec.name} stringify`, () => codec.stringify(value)], [`${codec.name} parse`, () => codec.parse(text)]);
  }
  const timings = compare(cases);
  for (const codec of codecs) {
    const text = texts.get(codec.name);
    if (text === undefined) continue;
    const s = timings.get(`${codec.name} stringify`)!.msPerOp;
    const p = timings.get(`${codec.name} parse`)!.msPerOp;
    out.set(codec.name, { supported: true, bytes: utf8.encode(text).length, stringifyMs: s, parseMs: p, roundTripMs: s + p });
  }
  return out;
}

// `--only=small,F1` runs only the shapes whose id contains one of the words (targets and gates need all).
const only = (process.argv.find((a) => a.startsWith('--only='))?.slice(7).split(',') ?? []).filter((w) => w !== '');
const results = new Map<string, Map<string, Result>>();
const sections: string[] = [];

for (const shape of SHAPES) {
  if (only.length > 0 && !only.some((o) => shape.id.includes(o))) continue;
  const value = shape.make();
  const byCodec = runShape([OURS, ...PEERS], value);
  results.set(shape.id, byCodec);
  const ours = byCodec.get(OURS.name)!;
  const rows = [OURS, ...PEERS].map((codec) => {
    const r = byCodec.get(codec.name)!;
    if (!r.supported) return [codec.name, 'n/a', 'n/a', 'n/a', 'n/a', 'n/a'];
    const ratio = codec === OURS ? '—' : formatRatio(r.roundTripMs! / ours.roundTripMs!);
    return [codec.name, formatOps(1000 / r.stringifyMs!), formatOps(1000 / r.parseMs!), formatOps(1000 / r.roundTripMs!), r.bytes!.toLocaleString('en-US'), ratio];
  });
  const section = `#### ${shape.id} — ${shape.label}\n\n${table(['library', 'stringify ops/s', 'parse ops/s', 'round trip ops/s', 'bytes', 'ours ÷ peer (round-trip ops/s)'], rows)}`;
  console.log(`\n${section}`);
  const notes = [...byCodec].filter(([, r]) => !r.supported).map(([name, r]) => `${name}: ${r.reason}`);
  if (notes.length > 0) console.log(`\nn/a: ${notes.join('; ')}`);
  sections.push(section + (notes.length > 0 ? `\n\nn/a: ${notes.join('; ')}` : ''));
}

// ---- targets (spec §8 and the issue) and gates ----
type Check = [string, string, boolean];
const checks: Check[] = [];
const get = (shape: string, codec: string) => results.get(shape)?.get(codec);
const fmtMs = (ms: number) => `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;

const f1 = results.get('F1 plain-10k');
if (f1) {
  const ours = f1.get(OURS.name)!;
  const json = f1.get('JSON')!;
  checks.push(['F1 output ≤ 2× JSON', `${(ours.bytes! / json.bytes!).toFixed(2)}×`, ours.bytes! <= 2 * json.bytes!]);
  checks.push(['F1 stringify ≤ 5× JSON time', `${(ours.stringifyMs! / json.stringifyMs!).toFixed(2)}×`, ours.stringifyMs! <= 5 * json.stringifyMs!]);
  checks.push(['F1 parse ≤ 5× JSON time', `${(ours.parseMs! / json.parseMs!).toFixed(2)}×`, ours.parseMs! <= 5 * json.parseMs!]);
}
for (const shapeId of ['small', 'api-1k', 'F1 plain-10k']) {
  const ours = get(shapeId, OURS.name);
  const json = get(shapeId, 'JSON');
  if (ours?.supported && json?.supported) {
    const r = ours.roundTripMs! / json.roundTripMs!;
    checks.push([`${shapeId}: round trip ≤ 3× JSON time (issue)`, `${r.toFixed(2)}×`, r <= 3]);
  }
}
for (const [shapeId] of results) {
  const ours = get(shapeId, OURS.name)!;
  const fast = [get(shapeId, PEERS[0].name), get(shapeId, 'devalue')].filter((r): r is Result => !!r?.supported);
  if (fast.length > 0) {
    const best = Math.min(...fast.map((r) => r.roundTripMs!));
    const r = ours.roundTripMs! / best;
    checks.push([`${shapeId}: round trip ≤ faster of ungap/devalue (issue; spec allows 1.25×)`, `${r.toFixed(2)}× its time`, r <= 1]);
  }
  const sj = get(shapeId, 'superjson');
  if (sj?.supported) {
    const r = sj.roundTripMs! / ours.roundTripMs!;
    checks.push([`${shapeId}: ≥ 3× faster than superjson (issue; spec 2×)`, `${r.toFixed(2)}×`, r >= 3]);
  }
}
const f5 = get('F5 binary-1MiB', OURS.name);
if (f5?.supported) checks.push(['F5 output ≤ 1.4× the byte count', `${(f5.bytes! / (1024 * 1024)).toFixed(3)}×`, f5.bytes! <= 1.4 * 1024 * 1024]);

if (only.length === 0) {
  const roundTrip = (value: unknown) => measure(() => parse(stringify(value)), { rounds: 5, sampleMs: 100 }).msPerOp;
  const g10 = roundTrip(cyclicGraph(10_000));
  const g20 = roundTrip(cyclicGraph(20_000));
  const shared = roundTrip(sharedSubtree());
  checks.push(['gate: F3 10,000 nodes round trip < 500 ms', fmtMs(g10), g10 < 500]);
  checks.push(['gate: F3 20,000 nodes < 3× the 10,000 time (linear)', `${fmtMs(g20)} (${(g20 / g10).toFixed(2)}×)`, g20 < 3 * g10]);
  checks.push(['gate: shared subtree (1,000 records + 100 tags, ×100) round trip < 200 ms', fmtMs(shared), shared < 200]);
}

const targets = table(['target', 'measured', 'result'], checks.map(([what, measured, ok]) => [what, measured, ok ? 'PASS' : 'MISS']));
console.log(`\n#### Targets and gates\n\n${targets}`);
const missed = checks.filter(([, , ok]) => !ok).length;
console.log(`\n${checks.length - missed} of ${checks.length} targets met`);

writeResults(
  `Measured ${today()}, Node ${process.version}, ${process.platform}/${process.arch}, ${loadAtStart} at the start.\n\n${sections.join('\n\n')}\n\n#### Targets and gates\n\n${targets}`,
);
