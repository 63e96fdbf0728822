/**
 * DO → DO (issue 9 item 2): `this.lmz.callRaw` vs a native Workers RPC stub call to the same
 * method of the same LumenizeDO, inside real `wrangler dev`. A Node process asks a caller DO to run
 * N calls and times the whole batch with its own wall clock (workerd's clock does not advance
 * during execution). Headline: ours ÷ native in time per call (issue 18 targets: ≤ 1.1× sequential,
 * ≤ 1.0× with 32 in flight, where calls of one turn share one RPC). Method: README.md.
 */
import type { DoToDoMode, DoToDoOp } from '../mesh-common/api.ts';
import { formatRatio, machineLoad, table, today, writeResults } from '../lib/harness.ts';
import { startBenchWorker } from '../mesh-common/server.ts';
import { batchTimes } from '../mesh-common/timing.ts';

const CALLS = 200;
const ROUNDS = 13;
/** Issue 18: ours ÷ native (stub per call), by calls in flight. */
const TARGET: Record<number, number> = { 1: 1.1, 32: 1.0 };
const OPS: DoToDoOp[] = ['increment', 'echo'];
const CONCURRENCY = [1, 32];
const MODES: Array<[DoToDoMode, string]> = [
  ['mesh', 'ours: `this.lmz.callRaw(...)`'],
  ['native', 'native: `env.X.getByName(t).method()`, stub per call'],
  ['native-held', 'native: one held stub'],
];

const loadAtStart = machineLoad();
const worker = await startBenchWorker();
try {
  const batch = async (mode: DoToDoMode, op: DoToDoOp, n: number, c: number): Promise<void> => {
    const res = await fetch(`${worker.url}/dodo?mode=${mode}&op=${op}&n=${n}&c=${c}&caller=caller-${op}&target=target-${op}`);
    const body = (await res.json().catch(() => ({}))) as { ok?: number };
    if (!res.ok || body.ok !== n) throw new Error(`${mode} ${op} batch failed: HTTP ${res.status} ${JSON.stringify(body)}`);
  };
  // Warm-up: creates the DOs, learns identities, JIT-compiles both paths.
  for (const op of OPS) for (const [mode] of MODES) await batch(mode, op, 50, 1);

  const rows: string[][] = [];
  const headlines: string[] = [];
  for (const op of OPS) {
    for (const c of CONCURRENCY) {
      const cases: Array<[string, () => Promise<unknown>]> = [
        ['empty', () => batch('empty', op, CALLS, c)],
        ...MODES.map(([mode]) => [mode, () => batch(mode, op, CALLS, c)] as [string, () => Promise<unknown>]),
      ];
      const times = await batchTimes(cases, ROUNDS);
      const empty = times.get('empty')!;
      const perCall = (mode: string, which: 'best' | 'median') => Math.max(0, times.get(mode)![which] - empty[which]) / CALLS;
      const native = perCall('native', 'best');
      for (const [mode, label] of MODES) {
        const best = perCall(mode, 'best');
        const ratio = best / native;
        rows.push([
          op === 'increment' ? '`increment()`' : '`echo(~100 B record)`',
          c === 1 ? 'sequential' : `${c} in flight`,
          label,
          (best * 1000).toFixed(0),
          (perCall(mode, 'median') * 1000).toFixed(0),
          formatRatio(ratio),
          mode === 'mesh' ? `${ratio <= TARGET[c]! ? 'MET' : 'MISSED'} (≤ ${TARGET[c]!.toFixed(1)}×)` : '',
        ]);
      }
      const ratio = perCall('mesh', 'best') / native;
      const heldRatio = perCall('mesh', 'best') / perCall('native-held', 'best');
      headlines.push(`${op} ${c === 1 ? 'sequential' : `${c} in flight`} ${formatRatio(ratio)} (${formatRatio(heldRatio)} vs a held stub)`);
      console.log(`${op}, concurrency ${c}: ours ÷ native = ${formatRatio(ratio)}; vs held stub ${formatRatio(heldRatio)}`);
    }
  }
  const results = table(
    ['method', 'calls', 'caller', 'µs per call, best round', 'µs per call, median round', 'ours ÷ native (stub per call), time', 'target'],
    rows,
  );
  const headline = `Headline (ours ÷ native, time per call): ${headlines.join('; ')}.`;
  console.log(`\n${results}\n\n${headline}`);
  writeResults(
    `Measured ${today()}, Node ${process.version}, ${process.platform}/${process.arch}, ${loadAtStart} at the start (a shared machine: other jobs ran alongside). ${CALLS} calls per batch, ${ROUNDS} rounds.\n\n${results}\n\n${headline}`,
  );
} finally {
  await worker.stop();
}
