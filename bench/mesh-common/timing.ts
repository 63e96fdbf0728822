/**
 * Async timing for the network suites: cases are interleaved round by round (order alternating),
 * so the noise of a shared machine falls evenly on every case. Wall clock in Node only; nothing is
 * timed inside workerd, whose clock does not advance during execution.
 */
import { collectGarbage } from '../lib/harness.ts';

/** Latency samples (ms) of sequential operations. */
export interface LatencyResult {
  samples: number[];
  p50: number;
  p99: number;
  /** Operations per second at the median latency (1000 ÷ p50). */
  opsPerSec: number;
}

/** Throughput of one case over its rounds (ops/s). */
export interface ThroughputResult {
  best: number;
  median: number;
  rounds: number[];
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function ordered<T>(cases: T[], round: number): T[] {
  return round % 2 === 0 ? cases : [...cases].reverse();
}

/** Runs each case `warmup` times, untimed. */
export async function warmUp(cases: Array<[string, () => Promise<unknown>]>, warmup: number): Promise<void> {
  for (const [, op] of cases) for (let i = 0; i < warmup; i++) await op();
}

/** Sequential latency: `rounds` interleaved rounds of `opsPerRound` awaited operations per case. */
export async function sequentialLatency(
  cases: Array<[string, () => Promise<unknown>]>,
  options: { rounds: number; opsPerRound: number },
): Promise<Map<string, LatencyResult>> {
  const samples = new Map<string, number[]>(cases.map(([name]) => [name, []]));
  for (let r = 0; r < options.rounds; r++) {
    for (const [name, op] of ordered(cases, r)) {
      collectGarbage();
      const list = samples.get(name)!;
      for (let i = 0; i < options.opsPerRound; i++) {
        const start = performance.now();
        await op();
        list.push(performance.now() - start);
      }
    }
  }
  const out = new Map<string, LatencyResult>();
  for (const [name, list] of samples) {
    const sorted = [...list].sort((a, b) => a - b);
    const p50 = quantile(sorted, 0.5);
    out.set(name, { samples: list, p50, p99: quantile(sorted, 0.99), opsPerSec: 1000 / p50 });
  }
  return out;
}

/** Runs `total` operations with `concurrency` in flight; returns the wall time in ms. */
export async function runConcurrent(op: () => Promise<unknown>, total: number, concurrency: number): Promise<number> {
  let started = 0;
  const start = performance.now();
  const lane = async (): Promise<void> => {
    while (started < total) {
      started++;
      await op();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return performance.now() - start;
}

/**
 * Throughput with `concurrency` operations in flight: `rounds` interleaved rounds of
 * `opsPerRound` operations per case. Best round is the headline (noise only ever slows a round).
 */
export async function concurrentThroughput(
  cases: Array<[string, () => Promise<unknown>]>,
  options: { rounds: number; opsPerRound: number; concurrency: number },
): Promise<Map<string, ThroughputResult>> {
  const rounds = new Map<string, number[]>(cases.map(([name]) => [name, []]));
  for (let r = 0; r < options.rounds; r++) {
    for (const [name, op] of ordered(cases, r)) {
      collectGarbage();
      const ms = await runConcurrent(op, options.opsPerRound, options.concurrency);
      rounds.get(name)!.push((options.opsPerRound * 1000) / ms);
    }
  }
  const out = new Map<string, ThroughputResult>();
  for (const [name, list] of rounds) {
    const sorted = [...list].sort((a, b) => b - a);
    out.set(name, { best: sorted[0], median: quantile(sorted, 0.5), rounds: list });
  }
  return out;
}

/** Wall time (ms) of one whole batch per case and round. */
export interface BatchResult {
  best: number;
  median: number;
  rounds: number[];
}

/** Times each case (a whole batch) once per round, `rounds` interleaved rounds. */
export async function batchTimes(cases: Array<[string, () => Promise<unknown>]>, rounds: number): Promise<Map<string, BatchResult>> {
  const times = new Map<string, number[]>(cases.map(([name]) => [name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, run] of ordered(cases, r)) {
      collectGarbage();
      const start = performance.now();
      await run();
      times.get(name)!.push(performance.now() - start);
    }
  }
  const out = new Map<string, BatchResult>();
  for (const [name, list] of times) {
    const sorted = [...list].sort((a, b) => a - b);
    out.set(name, { best: sorted[0], median: quantile(sorted, 0.5), rounds: list });
  }
  return out;
}
