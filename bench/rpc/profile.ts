/**
 * CPU profile of one client → DO call, ours (hibernating and `hibernate: false` sockets) vs Cap'n
 * Web: samples workerd through the Worker's DevTools inspector and this Node process (the client)
 * with the V8 profiler while sequential calls run; prints busy time per call and the functions with
 * the most self time on each side. The sampling helpers are bench/mesh-common/profile.ts's.
 *
 * Not a suite (the runner only runs index.ts). Run it with:
 *   npx esbuild bench/rpc/profile.ts --bundle --platform=node --format=esm --target=es2022 \
 *     --outfile=node_modules/.bench/rpc-profile.mjs --banner:js="import { createRequire as __lmzRequire } from 'node:module'; const require = __lmzRequire(import.meta.url);" \
 *   && BENCH_SUITE_DIR=$PWD/bench/rpc node node_modules/.bench/rpc-profile.mjs [echo100|echo10k|increment] [calls] [sampling µs]
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { newWebSocketRpcSession, type RpcStub } from 'capnweb';
import { createRpcClient, createWebSocketTransport } from '@lumenize/rpc';
import { PAYLOADS, type CounterApi } from '../mesh-common/api.ts';
import { startWranglerDev } from '../../tools/wrangler-dev.ts';

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

interface Peer {
  name: string;
  increment(): Promise<unknown>;
  echo(v: unknown): Promise<unknown>;
  close(): void;
}
const run = (p: Peer) => (op === 'increment' ? p.increment() : p.echo(op === 'echo10k' ? PAYLOADS['10 KB'] : PAYLOADS['100 B']));

function ours(baseUrl: string, binding: string, name: string): Peer {
  const client = createRpcClient<CounterApi>({ transport: createWebSocketTransport(binding, 'prof', { baseUrl }) });
  return { name, increment: async () => await client.increment(), echo: async (v) => await client.echo(v), close: () => client[Symbol.dispose]() };
}

async function capn(wsUrl: string): Promise<Peer> {
  const ws = new WebSocket(`${wsUrl}/capn/prof`);
  const api: RpcStub<CounterApi> = newWebSocketRpcSession<CounterApi>(ws);
  await new Promise((resolve, reject) => {
    ws.addEventListener('open', resolve, { once: true });
    ws.addEventListener('error', reject, { once: true });
  });
  return { name: "Cap'n Web", increment: () => api.increment(), echo: (v) => api.echo(v), close: () => api[Symbol.dispose]() };
}

const suiteDir = process.env.BENCH_SUITE_DIR ?? dirname(new URL(import.meta.url).pathname);
const persistTo = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'lmz-rpc-prof-'));
const dev = await startWranglerDev({ cwd: join(suiteDir, 'worker'), persistTo, timeoutMs: 120_000 });
const peers = [ours(dev.url, 'RPC_COUNTER', 'ours, hibernating'), ours(dev.url, 'ACCEPT_COUNTER', 'ours, hibernate: false'), await capn(dev.url.replace(/^http/, 'ws'))];
try {
  const targets = (await (await fetch(`http://127.0.0.1:${dev.inspectorPort}/json`)).json()) as Array<{ webSocketDebuggerUrl: string }>;
  const workerd = await cdp(targets[0].webSocketDebuggerUrl);
  await workerd.send('Profiler.enable');
  await workerd.send('Debugger.enable');
  await workerd.send('Profiler.setSamplingInterval', { interval: INTERVAL_US });
  const node = new Session();
  node.connect();
  await node.post('Profiler.enable');
  await node.post('Profiler.setSamplingInterval', { interval: INTERVAL_US });
  for (const peer of peers) for (let i = 0; i < 200; i++) await run(peer);
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
    console.log(`\n${peer.name}: ${calls} sequential ${op} calls, ${((wall / calls) * 1000).toFixed(0)} µs per call (wall)`);
    report('workerd (Worker, DOs)', workerdProfile, calls);
    report('Node (client)', nodeProfile, calls);
  }
  workerd.close();
  node.disconnect();
} finally {
  for (const p of peers) p.close();
  await dev.stop();
  rmSync(persistTo, { recursive: true, force: true });
}
