/**
 * @lumenize/rpc vs Cap'n Web 0.12, same run, same `wrangler dev`, same DO method bodies
 * (bench/mesh-common/api.ts): a Node client over a WebSocket straight to the DO. Sequential p50
 * latency and 32-concurrent ops/s (increment, echo ~100 B, echo ~10 KB) for hibernating sockets
 * (default) and `webSocket: { hibernate: false }`; messages and bytes on the
 * wire for 1 call, 3 pipelined calls and a 10 KB echo; client bundle min+gz. Two no-library peers
 * (worker/bare.mts) give the platform's floor for each socket kind. Headlines: ours ÷ Cap'n
 * Web (latency target ≤ 1.0×, throughput ≥ 1.2×, bytes ≤ 1.0×, bundle ≤ 14.7 kB). Method: README.md.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { gzipSync } from 'node:zlib';
import type * as Esbuild from 'esbuild';
import { newWebSocketRpcSession, type RpcStub } from 'capnweb';
import { createRpcClient, createWebSocketTransport } from '@lumenize/rpc';
import { formatOps, formatRatio, machineLoad, table, today, writeResults } from '../lib/harness.ts';
import { PAYLOADS, type CounterApi } from '../mesh-common/api.ts';
import { concurrentThroughput, sequentialLatency, warmUp } from '../mesh-common/timing.ts';
import { WireCounter, countingWebSocket } from '../mesh-common/wire-counter.ts';
import { startFrozenWorker } from '../mesh-common/server.ts';
import { connectBare } from './bare-client.ts';
import { BUNDLE_SETTINGS } from '../../tools/bundle-settings.ts';

// `--quick`: a short run for iterating on a change (not for the README).
const QUICK = process.argv.includes('--quick');
const ROUNDS = QUICK ? 3 : 9;
const SEQ_OPS_PER_ROUND = 60;
const CONCURRENCY = 32;
const CONC_OPS_PER_ROUND = 320;
const WARMUP = QUICK ? 20 : 50;

const suiteDir = process.env.BENCH_SUITE_DIR ?? dirname(new URL(import.meta.url).pathname);

interface Peer {
  name: string;
  counter: WireCounter;
  increment(): Promise<number>;
  echo(v: unknown): Promise<unknown>;
  pipelined3(): Promise<number>;
  close(): void;
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function ours(baseUrl: string, instance: string, binding = 'RPC_COUNTER', name = '@lumenize/rpc'): Peer {
  const counter = new WireCounter();
  const client = createRpcClient<CounterApi>({ transport: createWebSocketTransport(binding, instance, { baseUrl, WebSocketClass: countingWebSocket(counter) }) });
  return {
    name,
    counter,
    increment: async () => (await client.increment()) as number,
    echo: async (v) => await client.echo(v),
    pipelined3: async () => (await client.add(client.add(client.increment(), 1), 2)) as number,
    close: () => client[Symbol.dispose](),
  };
}

async function capn(wsUrl: string, instance: string): Promise<Peer> {
  const counter = new WireCounter();
  const WS = countingWebSocket(counter);
  const ws = new WS(`${wsUrl}/capn/${encodeURIComponent(instance)}`);
  const api: RpcStub<CounterApi> = newWebSocketRpcSession<CounterApi>(ws);
  await until(() => ws.readyState === WebSocket.OPEN, "Cap'n Web socket to open");
  return {
    name: "Cap'n Web",
    counter,
    increment: async () => (await api.increment()) as number,
    echo: async (v) => await api.echo(v),
    async pipelined3() {
      const a = api.increment();
      const b = api.add(a, 1);
      try {
        return (await api.add(b, 2)) as number;
      } finally {
        b[Symbol.dispose]();
        a[Symbol.dispose]();
      }
    },
    close: () => api[Symbol.dispose](),
  };
}

/** The no-library floor (worker/bare.mts, bare-client.ts) with one socket kind. */
async function bare(wsUrl: string, route: 'bare-hibernating' | 'bare-accept', instance: string, name: string): Promise<Peer> {
  const counter = new WireCounter();
  const { call, close } = await connectBare(wsUrl, route, instance, countingWebSocket(counter));
  return {
    name,
    counter,
    increment: async () => (await call('increment', [])) as number,
    echo: (v) => call('echo', [v]),
    // No pipelining: three round trips (the wire table covers ours and Cap'n Web only).
    pipelined3: async () => (await call('add', [(await call('add', [await call('increment', []), 1])) as number, 2])) as number,
    close,
  };
}

/** Messages and bytes of one scenario, measured after the socket is open (upgrade excluded). */
async function wire(peer: Peer, run: () => Promise<unknown>) {
  await run(); // connected and warm
  peer.counter.reset();
  peer.counter.keep = true;
  await run();
  // Cap'n Web sends release messages after the answer; count them too (they are part of the call).
  await new Promise((r) => setTimeout(r, 50));
  peer.counter.keep = false;
  return { ...peer.counter.snapshot(), log: peer.counter.log };
}

async function bundleSize(source: string): Promise<{ min: number; gz: number }> {
  const { build } = createRequire(join(suiteDir, 'index.ts'))('esbuild') as typeof Esbuild;
  const result = await build({
    ...BUNDLE_SETTINGS,
    metafile: false,
    stdin: { contents: source, resolveDir: suiteDir, sourcefile: 'entry.ts', loader: 'ts' },
  });
  const code = result.outputFiles[0].contents;
  return { min: code.length, gz: gzipSync(code, { level: 9 }).length };
}

const loadAtStart = machineLoad();
const dev = await startFrozenWorker(join(suiteDir, 'worker'), 'lmz-rpc-bench-');
const wsUrl = dev.url.replace(/^http/, 'ws');
const out: string[] = [];
try {
  const peers = [ours(dev.url, 'bench'), await capn(wsUrl, 'bench')];
  const [o, c] = peers;
  // `webSocket: { hibernate: false }` (accept() sockets), a product option: timed alongside.
  const nh = ours(dev.url, 'bench', 'ACCEPT_COUNTER', 'ours, hibernate: false');
  const bareH = await bare(wsUrl, 'bare-hibernating', 'bench', 'bare, hibernating');
  const bareA = await bare(wsUrl, 'bare-accept', 'bench', 'bare, accept()');
  const timed = [...peers, nh, bareH, bareA];

  // Timing.
  const OPS: Array<[string, (p: Peer) => Promise<unknown>, (v: unknown) => boolean]> = [
    ['increment()', (p) => p.increment(), (v) => typeof v === 'number'],
    ['echo ~100 B', (p) => p.echo(PAYLOADS['100 B']), (v) => isDeepStrictEqual(v, PAYLOADS['100 B'])],
    ['echo ~10 KB', (p) => p.echo(PAYLOADS['10 KB']), (v) => isDeepStrictEqual(v, PAYLOADS['10 KB'])],
  ];
  const timingRows: string[][] = [];
  for (const [name, run, check] of OPS) {
    for (const p of timed) if (!check(await run(p))) throw new Error(`${p.name} ${name} answered wrongly`);
    const cases: Array<[string, () => Promise<unknown>]> = timed.map((p) => [p.name, () => run(p)]);
    await warmUp(cases, WARMUP);
    const seq = await sequentialLatency(cases, { rounds: ROUNDS, opsPerRound: SEQ_OPS_PER_ROUND });
    const conc = await concurrentThroughput(cases, { rounds: ROUNDS, opsPerRound: CONC_OPS_PER_ROUND, concurrency: CONCURRENCY });
    const sc = seq.get(c.name)!;
    const cc = conc.get(c.name)!;
    // Each row against Cap'n Web and against the bare peer with the same socket kind.
    const rows: Array<[string, Peer, Peer | undefined]> = [['ours, hibernating (default)', o, bareH], ['ours, hibernate: false', nh, bareA], ['bare, hibernating', bareH, undefined], ['bare, accept()', bareA, undefined]];
    for (const [label, p, floor] of rows) {
      const so = seq.get(p.name)!;
      const co = conc.get(p.name)!;
      const sf = floor && seq.get(floor.name)!;
      const cf = floor && conc.get(floor.name)!;
      timingRows.push([name, label, `${so.p50.toFixed(3)} / ${sc.p50.toFixed(3)}`, formatRatio(so.p50 / sc.p50), sf ? formatRatio(so.p50 / sf.p50) : '', `${formatOps(co.best)} / ${formatOps(cc.best)}`, formatRatio(co.best / cc.best), cf ? formatRatio(co.best / cf.best) : '']);
    }
  }
  out.push(
    "Sequential p50 (ms) and 32-concurrent best round (ops/s), each peer / Cap'n Web; \"÷ bare\" is ours over the no-library peer with the same socket kind:",
    '',
    table(['operation', 'peer', 'p50 ms', 'p50 ÷ Cap\'n Web (target ≤ 1.00×)', 'p50 ÷ bare', 'ops/s', 'ops/s ÷ Cap\'n Web (target ≥ 1.20×)', 'ops/s ÷ bare'], timingRows),
  );

  // Wire.
  const SCEN: Array<[string, (p: Peer) => Promise<unknown>]> = [
    ['1 call: increment()', (p) => p.increment()],
    ['3 pipelined: add(add(increment(), 1), 2)', (p) => p.pipelined3()],
    ['echo ~10 KB', (p) => p.echo(PAYLOADS['10 KB'])],
  ];
  const wireRows: string[][] = [];
  const samples: string[] = [];
  for (const [name, run] of SCEN) {
    const wo = await wire(o, () => run(o));
    const wc = await wire(c, () => run(c));
    const bo = wo.sentBytes + wo.receivedBytes;
    const bc = wc.sentBytes + wc.receivedBytes;
    wireRows.push([name, `${wo.sentMessages}/${wo.receivedMessages}`, `${wc.sentMessages}/${wc.receivedMessages}`, `${wo.sentBytes}/${wo.receivedBytes}`, `${wc.sentBytes}/${wc.receivedBytes}`, formatRatio(bo / bc)]);
    if (!name.startsWith('echo')) for (const [peer, w] of [[o.name, wo], [c.name, wc]] as const) samples.push(`${peer} — ${name}:`, ...w.log.map((l) => `  ${l.dir}: ${l.text}`));
  }
  out.push('', 'Messages (sent/received) and payload bytes (sent/received) per scenario, upgrade excluded:', '', table(['scenario', 'ours msgs', "Cap'n Web msgs", 'ours bytes', "Cap'n Web bytes", 'bytes ratio (target ≤ 1.00×)'], wireRows));
  out.push('', '```text', ...samples, '```');

  // Bundle.
  const bo = await bundleSize("export { createRpcClient, createWebSocketTransport } from '@lumenize/rpc';");
  const bh = await bundleSize("export { createRpcClient, createWebSocketTransport, createHttpTransport } from '@lumenize/rpc';");
  const bc = await bundleSize("export { newWebSocketRpcSession } from 'capnweb';");
  const kB = (n: number) => (n / 1024).toFixed(2);
  out.push('', 'Client bundle (esbuild, ESM, minified, es2022, browser; gzip -9):', '', table(['entry', 'min kB', 'min+gz kB', "ratio to Cap'n Web"], [
    ['ours: createRpcClient + WebSocket transport', kB(bo.min), kB(bo.gz), formatRatio(bo.gz / bc.gz)],
    ['ours: + HTTP transport', kB(bh.min), kB(bh.gz), formatRatio(bh.gz / bc.gz)],
    ["Cap'n Web: newWebSocketRpcSession", kB(bc.min), kB(bc.gz), '1.00×'],
  ]));
  for (const p of timed) p.close();
} catch (error) {
  console.error(`[rpc] failed; wrangler dev's last output:\n${dev.output().slice(-3000)}`);
  throw error;
} finally {
  await dev.stop();
}
const markdown = [`Run ${today()}, node ${process.version}, ${loadAtStart} at start.`, '', ...out].join('\n');
console.log(markdown);
writeResults(markdown);
