/**
 * @lumenize/fetch: `proxy` vs `direct` inside real `wrangler dev` (compatibility date 2026-10-01),
 * offline (the upstream is an entrypoint of the same Worker). A Node client asks the origin DO over
 * a WebSocket to fetch and times until the handler's "done" comes back (the Node clock: workerd's
 * does not advance during execution). Measured: added latency of proxy over direct against an
 * instant and a 1 s upstream, origin-DO busy time per request, rows written per request, and 2,000
 * concurrent proxy() calls from one DO delivered exactly once. Headlines are ratios to the spec
 * fetch §8 targets (≤ 1.00× meets). Method: README.md.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { formatRatio, machineLoad, table, today, writeResults } from '../lib/harness.ts';
import { startWranglerDev } from '../../tools/wrangler-dev.ts';
import { startProfile } from './profile.ts';

const suiteDir = process.env.BENCH_SUITE_DIR ?? dirname(new URL(import.meta.url).pathname);
const INSTANT_RUNS = 40;
const SLOW_RUNS = 8;
const WARMUP = 5;
// FETCH_BENCH_BURST / FETCH_BENCH_ONLY=burst: quick profiling runs (the README's table uses the defaults).
const BURST = Number(process.env.FETCH_BENCH_BURST ?? 2_000);
const ONLY_BURST = process.env.FETCH_BENCH_ONLY === 'burst';

interface Done {
  tag: string;
  stat?: boolean;
  count: number;
  duplicates: number;
  errors: number;
  handlerAfterMs: number;
  handoffMs: number | null;
  deliveryMs: number | null;
  rowsWritten: number;
  kvWritten: number;
  leftover: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

class Origin {
  #ws: WebSocket;
  #waiting = new Map<string, (d: Done) => void>();
  #n = 0;
  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.addEventListener('close', (e) => console.error(`[fetch bench] origin socket closed: ${e.code} ${e.reason}`));
    ws.addEventListener('message', (e) => {
      const d = JSON.parse(String(e.data)) as Done;
      const key = d.stat ? `stat:${d.tag}` : d.tag;
      this.#waiting.get(key)?.(d);
      this.#waiting.delete(key);
    });
  }
  static async open(url: string): Promise<Origin> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('bench socket did not open in 10 s')), 10_000);
      ws.addEventListener('open', () => (clearTimeout(timer), resolve()));
      ws.addEventListener('error', () => (clearTimeout(timer), reject(new Error('bench socket failed'))));
    });
    return new Origin(ws);
  }
  /** Sends a start and resolves with the handler's report and the Node-clock time it took. */
  async run(mode: 'proxy' | 'direct', ms: number, n = 1, timeoutMs = 60_000): Promise<Done & { wallMs: number }> {
    const tag = `${mode}-${ms}-${++this.#n}`;
    const t0 = performance.now();
    const done = this.#wait(tag, timeoutMs);
    this.#ws.send(JSON.stringify({ op: n === 1 ? 'one' : 'burst', mode, ms, tag, n }));
    const d = await done;
    return { ...d, wallMs: performance.now() - t0 };
  }
  async totals(): Promise<{ rowsWritten: number; kvWritten: number; watchdog: number | null }> {
    const tag = `totals-${++this.#n}`;
    const done = this.#wait(`stat:${tag}`, 10_000);
    this.#ws.send(JSON.stringify({ op: 'totals', tag }));
    return done as unknown as Promise<{ rowsWritten: number; kvWritten: number; watchdog: number | null }>;
  }
  async stat(tag: string): Promise<Done> {
    const done = this.#wait(`stat:${tag}`, 10_000);
    this.#ws.send(JSON.stringify({ op: 'stat', tag }));
    return done;
  }
  #wait(key: string, timeoutMs: number): Promise<Done> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer for ${key} in ${timeoutMs} ms`)), timeoutMs);
      this.#waiting.set(key, (d) => (clearTimeout(timer), resolve(d)));
    });
  }
  close(): void {
    this.#ws.close();
  }
}

const loadAtStart = machineLoad();
const persistTo = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'lmz-fetch-bench-'));
const dev = await startWranglerDev({ cwd: join(suiteDir, 'worker'), persistTo, timeoutMs: 120_000 });
const out: string[] = [];
try {
  const origin = await Origin.open(`${dev.url.replace(/^http/, 'ws')}/ws/bench`);
  for (let i = 0; i < WARMUP; i++) for (const mode of ['proxy', 'direct'] as const) await origin.run(mode, 0);

  const rows: string[][] = [];
  const perMode: Record<string, { latency: number; busy: number; rows: number }> = {};
  // Rows over the whole measured phase, so the shared watchdog's own writes are counted too.
  const totalsBefore = await origin.totals();
  let proxied = 0;
  for (const [ms, runs] of ONLY_BURST ? [] : ([[0, INSTANT_RUNS], [1_000, SLOW_RUNS]] as const)) {
    const samples = { proxy: [] as Done[], direct: [] as Done[] };
    const wall = { proxy: [] as number[], direct: [] as number[] };
    // Interleaved, so both strategies see the same machine load.
    for (let i = 0; i < runs; i++) {
      for (const mode of ['proxy', 'direct'] as const) {
        const d = await origin.run(mode, ms);
        if (mode === 'proxy') proxied++;
        if (d.errors > 0 || d.count !== 1 || d.leftover !== 0) throw new Error(`${mode} ${ms} ms: bad report ${JSON.stringify(d)}`);
        // The hand-off ack and the executor's "delivered" log can land after the handler: read them afterwards.
        let st: Pick<Done, 'handoffMs' | 'deliveryMs'> = { handoffMs: null, deliveryMs: null };
        for (let k = 0; mode === 'proxy' && (st.handoffMs === null || st.deliveryMs === null) && k < 10; k++) {
          if (k > 0) await new Promise((r) => setTimeout(r, 20));
          st = await origin.stat(d.tag).catch((error: Error) => (console.error(`[fetch bench] ${error.message}`), st));
        }
        samples[mode].push({ ...d, handoffMs: st.handoffMs, deliveryMs: st.deliveryMs });
        wall[mode].push(d.wallMs);
      }
    }
    const lp = median(wall.proxy);
    const ld = median(wall.direct);
    const measured = samples.proxy.filter((d) => d.handoffMs !== null && d.deliveryMs !== null);
    const busyProxy = median(measured.map((d) => d.handoffMs! + d.deliveryMs!));
    console.log(`${ms} ms: proxy busy measured for ${measured.length}/${samples.proxy.length} requests`);
    const busyDirect = median(samples.direct.map((d) => d.handlerAfterMs));
    const rowsProxy = median(samples.proxy.map((d) => d.rowsWritten));
    const rowsDirect = median(samples.direct.map((d) => d.rowsWritten));
    const kvProxy = median(samples.proxy.map((d) => d.kvWritten));
    const added = lp - ld;
    const target = ms === 0 ? 35 : 7;
    const label = ms === 0 ? 'instant' : '1 s';
    perMode[label] = { latency: added, busy: busyProxy, rows: rowsProxy };
    rows.push([
      label,
      `${ld.toFixed(1)} / ${lp.toFixed(1)}`,
      `${added >= 0 ? '+' : ''}${added.toFixed(1)} ms (${formatRatio(lp / ld)})`,
      `${formatRatio(Math.max(0, added) / target)} of ≤ ${target} ms`,
      `${busyDirect.toFixed(0)} / ${busyProxy.toFixed(0)} ms`,
      `${formatRatio(busyProxy / 30)} of ≤ 30 ms`,
      `${rowsDirect} / ${rowsProxy} (${kvProxy} KV + ${rowsProxy - kvProxy} SQL)`,
    ]);
    console.log(`${label}: direct ${ld.toFixed(1)} ms, proxy ${lp.toFixed(1)} ms, busy direct ${busyDirect} ms, proxy ${busyProxy} ms, rows ${rowsDirect}/${rowsProxy}`);
  }
  const totalsAfter = await origin.totals();
  const amortized = proxied > 0 ? (totalsAfter.rowsWritten - totalsBefore.rowsWritten) / proxied : Number.NaN;
  out.push(
    `Median of ${INSTANT_RUNS} (instant) and ${SLOW_RUNS} (1 s) interleaved sequential requests after ${WARMUP} warm-ups:`,
    '',
    table(
      ['upstream', 'latency direct / proxy (ms)', 'proxy added latency (proxy ÷ direct)', 'added ÷ §8 target', 'origin-DO busy direct / proxy', 'proxy busy ÷ §8 target', 'rows written direct / proxy'],
      rows,
    ),
    '',
    `Rows over the whole measured phase: ${totalsAfter.rowsWritten - totalsBefore.rowsWritten} written for ${proxied} proxied requests = ${amortized.toFixed(2)} per request (the shared watchdog schedule's own writes included).`,
  );

  // 2,000 concurrent proxy() calls from one DO method.
  const profiler = process.env.FETCH_BENCH_PROFILE ? await startProfile(dev.inspectorPort) : undefined;
  const burst = await origin.run('proxy', 0, BURST, 300_000);
  if (profiler) console.log(await profiler.stop());
  const tag = burst.tag;
  const after = await origin.stat(tag);
  const exactlyOnce = burst.count === BURST && burst.duplicates === 0 && burst.errors === 0 && after.count === BURST && after.duplicates === 0;
  out.push(
    '',
    `${BURST.toLocaleString('en')} concurrent proxy() calls from one DO method (instant upstream):`,
    '',
    table(
      ['calls', 'handlers run', 'duplicates', 'errors', 'rows left', 'wall time (Node clock)', 'per call', 'exactly once'],
      [[String(BURST), String(after.count), String(after.duplicates), String(burst.errors), String(burst.leftover), `${(burst.wallMs / 1000).toFixed(2)} s`, `${(burst.wallMs / BURST).toFixed(2)} ms`, exactlyOnce ? 'yes' : 'NO']],
    ),
  );
  const i = perMode.instant;
  const s = perMode['1 s'];
  if (i && s) out.push(
    '',
    `Headline: proxy adds ${i.latency.toFixed(1)} ms on an instant upstream (${formatRatio(Math.max(0, i.latency) / 35)} of the ≤ 35 ms target) and ${s.latency.toFixed(1)} ms at 1 s (${formatRatio(Math.max(0, s.latency) / 7)} of ≤ 7 ms); origin-DO busy ${s.busy.toFixed(0)} ms per proxied 1 s request (${formatRatio(s.busy / 30)} of ≤ 30 ms); ${s.rows} rows written per proxied request (1 row created and removed; the shared watchdog schedule amortized over its window); ${BURST} concurrent proxies ${exactlyOnce ? 'all delivered exactly once' : 'NOT delivered exactly once'} in ${(burst.wallMs / 1000).toFixed(2)} s.`,
  );
  origin.close();
  if (!exactlyOnce) process.exitCode = 1;
} finally {
  await dev.stop();
  rmSync(persistTo, { recursive: true, force: true });
}
const markdown = [`Run ${today()}, node ${process.version}, ${loadAtStart} at start; local \`wrangler dev\` (workerd), not production.`, '', ...out].join('\n');
console.log(markdown);
writeResults(markdown);
