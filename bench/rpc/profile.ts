/**
 * CPU profile of one client → DO call, ours (hibernating and `hibernate: false` sockets) vs Cap'n
 * Web and the two no-library peers (worker/bare.mts): samples workerd through the Worker's DevTools
 * inspector and this Node process (the client) with the V8 profiler while sequential calls run;
 * prints busy time per call and the functions with the most self time on each side. The sampling helpers are bench/mesh-common/profile.ts's.
 *
 * Not a suite (the runner only runs index.ts). Run it with:
 *   npx esbuild bench/rpc/profile.ts --bundle --platform=node --format=esm --target=es2022 \
 *     --outfile=node_modules/.bench/rpc-profile.mjs --banner:js="import { createRequire as __lmzRequire } from 'node:module'; const require = __lmzRequire(import.meta.url);" \
 *   && BENCH_SUITE_DIR=$PWD/bench/rpc node node_modules/.bench/rpc-profile.mjs [echo100|echo10k|increment] [calls] [sampling µs]
 * PROFILE_PEERS=4,3 profiles only those peers, in that order (0 ours hibernating, 1 ours
 * hibernate: false, 2 Cap'n Web, 3 bare hibernating, 4 bare accept()); PROFILE_ROWS sets how many
 * functions are printed. Profiling one peer after another is sensitive to load changes: repeat
 * peers (4,3,4,3) to see the spread.
 */
import { dirname, join } from 'node:path';
import { newWebSocketRpcSession, type RpcStub } from 'capnweb';
import { createRpcClient, createWebSocketTransport } from '@lumenize/rpc';
import { PAYLOADS, type CounterApi } from '../mesh-common/api.ts';
import { startFrozenWorker } from '../mesh-common/server.ts';
import { connectBare } from './bare-client.ts';
import { profilePeers } from '../mesh-common/cpu-profile.ts';

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

async function bare(wsUrl: string, route: 'bare-hibernating' | 'bare-accept', name: string): Promise<Peer> {
  const { call, close } = await connectBare(wsUrl, route, 'prof');
  return { name, increment: () => call('increment', []), echo: (v) => call('echo', [v]), close };
}

const suiteDir = process.env.BENCH_SUITE_DIR ?? dirname(new URL(import.meta.url).pathname);
const dev = await startFrozenWorker(join(suiteDir, 'worker'), 'lmz-rpc-prof-');
const only = process.env.PROFILE_PEERS?.split(',');
const all = [
  ours(dev.url, 'RPC_COUNTER', 'ours, hibernating'),
  ours(dev.url, 'ACCEPT_COUNTER', 'ours, hibernate: false'),
  await capn(dev.wsUrl),
  await bare(dev.wsUrl, 'bare-hibernating', 'bare, hibernating'),
  await bare(dev.wsUrl, 'bare-accept', 'bare, accept()'),
];
const peers = only ? only.map((i) => all[Number(i)]) : all;
try {
  await profilePeers(dev.inspectorPort, peers, run, { op, calls, intervalUs: INTERVAL_US, workerdLabel: 'workerd (Worker, DOs)' });
} finally {
  for (const p of all) p.close();
  await dev.stop();
}
