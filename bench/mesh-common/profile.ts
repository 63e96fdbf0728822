/**
 * CPU profile of one client → DO operation, ours vs Cap'n Web: samples workerd (through the
 * Worker's DevTools inspector, the isolate that runs the Worker, the gateway and the DOs) and this
 * Node process (the client) while a batch of sequential calls runs, then prints where the time
 * goes: busy vs idle per side and the functions with the most self time.
 *
 * Not a suite (the runner only runs index.ts). Run it with:
 *   npx esbuild bench/mesh-common/profile.ts --bundle --platform=node --format=esm --target=es2022 \
 *     --outfile=node_modules/.bench/profile.mjs --banner:js="import { createRequire as __lmzRequire } from 'node:module'; const require = __lmzRequire(import.meta.url);" \
 *   && BENCH_SUITE_DIR=$PWD/bench/mesh-common node node_modules/.bench/profile.mjs [echo100|echo10k|increment|dodo] [calls] [sampling µs] [in flight]
 * `in flight` (default 1): each run issues that many calls at once and awaits them all, so the
 * batching path is profiled (32 is the suites' concurrent case); `calls` counts runs.
 */
import { PAYLOADS } from './api.ts';
import { connectCapnWeb, connectOurs, type PeerClient } from './clients.ts';
import { startBenchWorker } from './server.ts';
import { profilePeers } from './cpu-profile.ts';

const op = process.argv[2] ?? 'echo100';
const calls = Number(process.argv[3] ?? 1000);
const INTERVAL_US = Number(process.argv[4] ?? 200);
const inFlight = Math.max(1, Number(process.argv[5] ?? 1));
const one = (p: PeerClient) => (op === 'increment' ? p.increment() : p.echo(op === 'echo10k' ? PAYLOADS['10 KB'] : PAYLOADS['100 B']));
const run = (p: PeerClient) => (inFlight === 1 ? one(p) : Promise.all(Array.from({ length: inFlight }, () => one(p))));
/** Calls per `run` (a `dodo` run is a batch of 100 DO → DO calls). */
const perRun = op === 'dodo' ? 100 : inFlight;

const worker = await startBenchWorker();
// `dodo`: DO → DO batches of echo(~100 B) through MeshCaller, mesh vs native (a stub per call).
const dodo = (mode: string): PeerClient => ({
  name: `DO → DO ${mode}`,
  increment: () => Promise.resolve(0),
  async echo() {
    const res = await fetch(`${worker.url}/dodo?mode=${mode}&op=echo&n=100&c=1`);
    if (!res.ok) throw new Error(`dodo ${mode}: HTTP ${res.status}`);
    return res.json();
  },
  nested3: () => Promise.resolve(0),
  close: async () => undefined,
});
const peers =
  op === 'dodo'
    ? [dodo('mesh'), dodo('native')]
    : [await connectOurs(worker.url, 'prof1', 'prof'), await connectCapnWeb(worker.wsUrl, 'prof')];
try {
  await profilePeers(worker.inspectorPort, peers, run, { op, calls, perRun, intervalUs: INTERVAL_US, workerdLabel: 'workerd (Worker, gateway, DOs)', inFlight });
} finally {
  for (const p of peers) await p.close().catch(() => undefined);
  await worker.stop();
}
