/**
 * CPU profile of one client → DO operation, ours vs Cap'n Web: samples workerd (through the
 * Worker's DevTools inspector, the isolate that runs the Worker, the gateway and the DOs) and this
 * Node process (the client) while a batch of sequential calls runs, then prints where the time
 * goes: busy vs idle per side and the functions with the most self time.
 *
 * Not a suite (the runner only runs index.ts). Run it with:
 *   npx esbuild bench/mesh-common/profile.ts --bundle --platform=node --format=esm --target=es2022 \
 *     --outfile=node_modules/.bench/profile.mjs --banner:js="import { createRequire as __lmzRequire } from 'node:module'; const require = __lmzRequire(import.meta.url);" \
 *   && BENCH_SUITE_DIR=$PWD/bench/mesh-common node node_modules/.bench/profile.mjs [echo100|echo10k|increment|dodo] [calls] [sampling µs]
 */
import { Session } from 'node:inspector/promises';
import { PAYLOADS } from './api.ts';
import { connectCapnWeb, connectOurs, type PeerClient } from './clients.ts';
import { startBenchWorker } from './server.ts';
import { cdp, report, sourceLines, type Profile } from './cpu-profile.ts';


const op = process.argv[2] ?? 'echo100';
const calls = Number(process.argv[3] ?? 1000);
const INTERVAL_US = Number(process.argv[4] ?? 200);
const run = (p: PeerClient) => (op === 'increment' ? p.increment() : p.echo(op === 'echo10k' ? PAYLOADS['10 KB'] : PAYLOADS['100 B']));
/** Calls per `run` (a `dodo` run is a batch of 100 DO → DO calls). */
const perRun = op === 'dodo' ? 100 : 1;

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
  const targets = (await (await fetch(`http://127.0.0.1:${worker.inspectorPort}/json`)).json()) as Array<{ webSocketDebuggerUrl: string; title?: string }>;
  const workerd = await cdp(targets[0].webSocketDebuggerUrl);
  await workerd.send('Profiler.enable');
  await workerd.send('Debugger.enable');
  await workerd.send('Profiler.setSamplingInterval', { interval: INTERVAL_US });
  const node = new Session();
  node.connect();
  await node.post('Profiler.enable');
  await node.post('Profiler.setSamplingInterval', { interval: INTERVAL_US });
  for (const peer of peers) for (let i = 0; i < 200 / perRun; i++) await run(peer);
  for (const peer of peers) {
    await workerd.send('Profiler.start');
    await node.post('Profiler.start');
    const start = performance.now();
    for (let i = 0; i < calls; i++) await run(peer);
    const wall = performance.now() - start;
    const { profile: nodeProfile } = (await node.post('Profiler.stop')) as unknown as { profile: Profile };
    const { profile: workerdProfile } = await workerd.send<{ profile: Profile }>('Profiler.stop');
    for (const id of new Set(workerdProfile.nodes.map((n) => n.callFrame.scriptId))) {
      if (!id || id === '0' || sourceLines.has(id)) continue;
      const src = await workerd.send<{ scriptSource: string }>('Debugger.getScriptSource', { scriptId: id }).catch(() => ({ scriptSource: '' }));
      sourceLines.set(id, src.scriptSource.split('\n'));
    }
    console.log(`\n${peer.name}: ${calls * perRun} sequential ${op} calls, ${((wall / calls / perRun) * 1000).toFixed(0)} µs per call (wall)`);
    report('workerd (Worker, gateway, DOs)', workerdProfile, calls * perRun);
    report('Node (client)', nodeProfile, calls * perRun);
  }
  workerd.close();
  node.disconnect();
} finally {
  for (const p of peers) await p.close().catch(() => undefined);
  await worker.stop();
}
