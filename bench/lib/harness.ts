/**
 * Shared measurement helpers for bench suites: adaptive timing with warm-up and median of samples,
 * markdown tables, and writing a suite's latest results into its README.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';

export interface Timing {
  /** Operations per second of CPU time (from the fastest sample). */
  opsPerSec: number;
  /** Milliseconds per operation (fastest sample). */
  msPerOp: number;
  /** Milliseconds per operation of the median sample (a noise indicator). */
  medianMsPerOp: number;
}

export interface CompareOptions {
  /** Minimum duration of one sample, in ms. */
  sampleMs?: number;
  /** Rounds; each round takes one sample of every case, so noise spreads evenly over them. */
  rounds?: number;
  /** Warm-up (and calibration) time per case, in ms. */
  warmupMs?: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

/** Collects garbage when the process was started with --expose-gc (the runner does). */
export function collectGarbage(): void {
  gc?.();
}

/**
 * Process CPU time in ms (user + system). The runner starts suites with `--single-threaded`, so
 * garbage collection and compilation run on the main thread and are billed to the work that
 * caused them, and time stolen by other processes on a shared machine is not counted.
 */
function nowMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * Times several cases against each other in CPU time: each is warmed up and calibrated, then
 * `rounds` interleaved rounds each take one sample (at least `sampleMs`) of every case. The fastest
 * sample is reported: noise only ever adds time, and interleaving gives every case the same
 * chances. There is deliberately no forced GC between samples: a forced full GC shrinks the young
 * generation, and the next sample then pays for many extra scavenges (measured here: up to 10×
 * slower for allocation-heavy code), which would penalize whichever case runs next.
 */
export function compare(cases: Array<[string, () => unknown]>, options: CompareOptions = {}): Map<string, Timing> {
  const { sampleMs = 30, rounds = 11, warmupMs = 60 } = options;
  const iterations = new Map<string, number>();
  collectGarbage();
  for (const [name, fn] of cases) {
    let runs = 0;
    const start = nowMs();
    do {
      fn();
      runs++;
    } while (nowMs() - start < warmupMs || runs < 2);
    const perOp = (nowMs() - start) / runs;
    iterations.set(name, Math.max(1, Math.round(sampleMs / Math.max(perOp, 1e-6))));
  }
  const samples = new Map<string, number[]>(cases.map(([name]) => [name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of cases) {
      const n = iterations.get(name)!;
      const start = nowMs();
      for (let i = 0; i < n; i++) fn();
      samples.get(name)!.push((nowMs() - start) / n);
    }
  }
  const out = new Map<string, Timing>();
  for (const [name, list] of samples) {
    list.sort((a, b) => a - b);
    out.set(name, { msPerOp: list[0], opsPerSec: 1000 / list[0], medianMsPerOp: list[Math.floor(list.length / 2)] });
  }
  return out;
}

/** Times one function alone (see `compare`). */
export function measure(fn: () => unknown, options: CompareOptions = {}): Timing {
  return compare([['only', fn]], options).get('only')!;
}

/** Formats ops/s with thousands separators and sensible precision. */
export function formatOps(ops: number): string {
  if (ops >= 100) return Math.round(ops).toLocaleString('en-US');
  return ops.toPrecision(3);
}

/** Formats a ratio as `1.23×`. */
export function formatRatio(ratio: number): string {
  return `${ratio >= 10 ? ratio.toFixed(1) : ratio.toFixed(2)}×`;
}

/** A markdown table. */
export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The machine's 1-minute load average and core count, for the results header (noise context). */
export function machineLoad(): string {
  return `load average ${loadavg()[0].toFixed(2)} on ${cpus().length} cores`;
}

/** Today's date as YYYY-MM-DD. */
export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

const START = '<!-- results:start -->';
const END = '<!-- results:end -->';

/**
 * With `--write`, replaces the block between the results markers of the suite's README with
 * `markdown` (the runner sets BENCH_SUITE_DIR). Without it, does nothing.
 */
export function writeResults(markdown: string): void {
  if (!process.argv.includes('--write')) return;
  const dir = process.env.BENCH_SUITE_DIR;
  if (!dir) throw new Error('BENCH_SUITE_DIR is not set; run suites through bench/run.mjs');
  const readme = join(dir, 'README.md');
  const text = readFileSync(readme, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${readme} has no ${START} ... ${END} block`);
  writeFileSync(readme, `${text.slice(0, start + START.length)}\n${markdown}\n${text.slice(end)}`);
  console.log(`[bench] results written to ${readme}`);
}
