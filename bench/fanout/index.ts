/**
 * Fan-out (issue 17): time to last delivery and p50/p99 delivery time for N = 100, 1,000 and
 * 10,000 recipient DOs, flat loop (every call from the sender) vs tiered (LumenizeFanoutWorker
 * tiers), in the same run inside real `wrangler dev`. Headline: tiered ÷ flat. Method: README.md.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { formatRatio, machineLoad, table, today, writeResults } from '../lib/harness.ts';
import { startWranglerDev } from '../../tools/wrangler-dev.ts';
import { profilePeers } from '../mesh-common/cpu-profile.ts';

// FANOUT_SIZES=100,1000 runs a subset. FANOUT_PROFILE=N (e.g. 100) instead CPU-profiles workerd and
// Node while each mode makes 20 fan-outs to N, and prints self time per function (no table).
const SIZES = process.env.FANOUT_SIZES ? process.env.FANOUT_SIZES.split(',').map(Number) : [100, 1000, 10_000];
const ROUNDS: Record<number, number> = { 100: 5, 1000: 3, 10_000: 1 };
/** A fan-out that has not reported its summary by then is reported incomplete, not waited for. */
const RESULT_TIMEOUT_MS = 600_000;
/** As in worker.mts: N above it spreads the N recipient entries over this many DOs. */
const MAX_DOS = 2_500;
const roundsFor = (n: number) => ROUNDS[n] ?? 2;
const MODES = ['flat', 'tiered'] as const;

const suiteDir = process.env.BENCH_SUITE_DIR ?? resolve('bench/fanout');
const persistTo = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'lmz-fanout-bench-'));
const loadAtStart = machineLoad();
const dev = await startWranglerDev({ cwd: join(suiteDir, 'worker'), persistTo, timeoutMs: 120_000 });

const get = async <T>(path: string): Promise<T> => {
  const res = await fetch(`${dev.url}${path}`);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
};
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];

let runs = 0;
/** One fan-out: Node-side wall time to the summary, and the recipients' delivery latencies. */
async function once(mode: (typeof MODES)[number], n: number) {
  const run = `${mode}-${n}-${++runs}`;
  const t0 = performance.now();
  await get(`/run?mode=${mode}&n=${n}&run=${run}`);
  type Summary = { delivered: number; failed: number; firstError?: string; elapsed: number };
  let found: Summary | null;
  while (!(found = await get<Summary | null>(`/result?run=${run}`)) && performance.now() - t0 < RESULT_TIMEOUT_MS) await new Promise((r) => setTimeout(r, 5));
  const result: Summary = found ?? { delivered: 0, failed: n, firstError: `no summary within ${RESULT_TIMEOUT_MS / 1000} s`, elapsed: NaN };
  const wall = performance.now() - t0;
  const latencies: number[] = [];
  const dos = Math.min(n, MAX_DOS);
  for (let from = 0; from < dos; from += 500) latencies.push(...(await get<number[]>(`/collect?run=${run}&from=${from}&to=${Math.min(dos, from + 500)}`)));
  const seen = latencies.sort((a, b) => a - b);
  // An incomplete run is reported, not timed: the flat loop from one DO does not deliver 10,000 here.
  const incomplete = result.delivered !== n || seen.length !== n ? `${result.delivered} of ${n} delivered (${result.firstError ?? 'recorded ' + seen.length})` : undefined;
  if (incomplete) console.error(`[fanout] ${run}: ${incomplete}`);
  return { wall, last: seen[seen.length - 1] ?? NaN, p50: quantile(seen, 0.5) ?? NaN, p99: quantile(seen, 0.99) ?? NaN, incomplete };
}

async function profile(n: number): Promise<void> {
  const modes = MODES.map((name) => ({ name }));
  await profilePeers(dev.inspectorPort, modes, (m) => once(m.name, n), { op: `fan-out to ${n} (per delivery)`, calls: 20, perRun: n, intervalUs: 200, workerdLabel: 'workerd (sender, tiers, recipients)' });
}

try {
  if (process.env.FANOUT_PROFILE) await profile(Number(process.env.FANOUT_PROFILE));
  else await measure();
} finally {
  await dev.stop();
  rmSync(persistTo, { recursive: true, force: true });
}

async function measure(): Promise<void> {
  const rows: string[][] = [];
  const headline: string[] = [];
  for (const n of SIZES) {
    // Warm-up: creates the recipient DOs and compiles both paths (at 10,000 one tiered run, for time).
    if (n < 10_000) await once('flat', n);
    await once('tiered', n);
    const best: Record<string, { wall: number; last: number; p50: number; p99: number; incomplete?: string }> = {};
    for (let r = 0; r < roundsFor(n); r++) {
      for (const mode of r % 2 ? [...MODES].reverse() : MODES) {
        const t = await once(mode, n);
        const b = (best[mode] ??= t);
        if (t.incomplete) b.incomplete = t.incomplete;
        for (const k of ['wall', 'last', 'p50', 'p99'] as const) b[k] = Math.min(b[k], t[k]);
      }
    }
    const levels = n <= 64 ? 1 : n <= 4096 ? 2 : 3;
    const groups = Math.ceil(n ** (1 / levels) - 1e-9);
    for (const mode of MODES) {
      const b = best[mode];
      const ratio = best.flat.incomplete || best.tiered.incomplete ? 'n/a' : formatRatio(b.wall / best.flat.wall);
      const cell = (v: number) => (b.incomplete ? `${v.toFixed(0)} (incomplete: ${b.incomplete})` : v.toFixed(0));
      rows.push([String(n), mode === 'flat' ? 'flat loop (sender makes n calls)' : `tiered (L=${levels}, sender makes ${groups} calls)`, cell(b.wall), b.last.toFixed(0), b.p50.toFixed(0), b.p99.toFixed(0), mode === 'tiered' ? ratio : '']);
    }
    headline.push(
      best.flat.incomplete || best.tiered.incomplete
        ? `N=${n}: flat ${best.flat.incomplete ?? 'complete'}; tiered ${best.tiered.incomplete ?? 'complete'}`
        : `N=${n}: tiered ÷ flat ${formatRatio(best.tiered.wall / best.flat.wall)} (to summary), ${formatRatio(best.tiered.p99 / best.flat.p99)} (p99)`,
    );
  }
  const out = [
    `Latest run: ${today()}, ${loadAtStart} at start, ${machineLoad()} at end (node ${process.version}).`,
    '',
    table(['N', 'mode', 'to summary (ms, Node clock)', 'last delivery (ms)', 'p50 (ms)', 'p99 (ms)', 'tiered ÷ flat'], rows),
    '',
    headline.map((h) => `- ${h}`).join('\n'),
  ].join('\n');
  console.log(out);
  writeResults(out);
}
