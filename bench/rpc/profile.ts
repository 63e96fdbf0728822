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
import { cdp, report, sourceLines, type Profile } from '../mesh-common/cpu-profile.ts';


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
