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

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; scriptId: string };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}

/** A minimal DevTools protocol client over the inspector WebSocket. */
async function cdp(wsUrl: string) {
  // wrangler's inspector proxy wants a localhost Origin (Node's WebSocket accepts extra headers).
  const ws = new WebSocket(wsUrl, { headers: { Origin: 'http://localhost' } } as unknown as string[]);
  await new Promise((resolve, reject) => {
    ws.addEventListener('open', resolve, { once: true });
    ws.addEventListener('error', reject, { once: true });
  });
  let nextId = 1;
  const waiting = new Map<number, (v: { result?: unknown; error?: unknown }) => void>();
  ws.addEventListener('message', (e) => {
    const msg = JSON.parse(String(e.data)) as { id?: number; result?: unknown; error?: unknown };
    if (msg.id !== undefined) waiting.get(msg.id)?.(msg);
  });
  return {
    async send<T>(method: string, params: object = {}): Promise<T> {
      const id = nextId++;
      const reply = await new Promise<{ result?: unknown; error?: unknown }>((resolve) => {
        waiting.set(id, resolve);
        ws.send(JSON.stringify({ id, method, params }));
      });
      if (reply.error) throw new Error(`${method}: ${JSON.stringify(reply.error)}`);
      return reply.result as T;
    },
    close: () => ws.close(),
  };
}

/** Source lines of workerd's bundled script, to name anonymous functions (filled by `loadSources`). */
const sourceLines = new Map<string, string[]>();

/** Self time per function (ms), biggest first; idle/GC/program buckets kept by name. */
function selfTimes(profile: Profile): { total: number; rows: Array<[string, number]> } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const ms = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) ms.set(samples[i], (ms.get(samples[i]) ?? 0) + (deltas[i + 1] ?? deltas[i] ?? 0) / 1000);
  const byName = new Map<string, number>();
  for (const [id, t] of ms) {
    const f = byId.get(id)!.callFrame;
    const file = f.url.replace(/^.*\/(packages|node_modules|bench|\.wrangler)\//, '$1/');
    const line = f.functionName ? undefined : sourceLines.get(f.scriptId)?.[f.lineNumber]?.trim().slice(0, 90);
    const key = f.url ? `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}${line ? `  «${line}»` : ''}` : f.functionName;
    byName.set(key, (byName.get(key) ?? 0) + t);
  }
  return { total: (profile.endTime - profile.startTime) / 1000, rows: [...byName].sort((a, b) => b[1] - a[1]) };
}

function report(side: string, profile: Profile, calls: number): void {
  const { total, rows } = selfTimes(profile);
  const idle = rows.filter(([k]) => k === '(idle)' || k === '(program)').reduce((s, [, t]) => s + t, 0);
  console.log(`\n  ${side}: ${total.toFixed(0)} ms sampled, ${(total - idle).toFixed(0)} ms busy (${(((total - idle) / calls) * 1000).toFixed(0)} µs per call)`);
  for (const [name, t] of rows.slice(0, Number(process.env.PROFILE_ROWS ?? 18))) console.log(`    ${((t / calls) * 1000).toFixed(1).padStart(7)} µs/call  ${name}`);
}

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
