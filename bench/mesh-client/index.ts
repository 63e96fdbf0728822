/**
 * Client → DO round trip over a WebSocket (issue 9 item 1): a Node client calls a trivial DO method
 * (increment, echo ~100 B, echo ~10 KB) served by real `wrangler dev` on localhost. Ours:
 * LumenizeClient → router → gateway DO → target DO. Cap'n Web 0.12: newWebSocketRpcSession → a DO
 * serving `newWorkersRpcResponse`. Agents SDK 0.32 (when installed in its own folder): AgentClient →
 * routeAgentRequest → an Agent's `@callable()` methods. Sequential latency (p50/p99) and 32
 * concurrent (ops/s); headline ours ÷ Cap'n Web in ops/s (target ≥ 1.2×). The floor (issue 18): a
 * gateway DO with no Lumenize code, one native RPC per call (floor-worker/); ours ÷ floor p50
 * sequential (target ≤ 1.15×). The durable floor: the floor plus the two row writes exactly-once
 * resume needs; ours ÷ durable floor p50 shows what our code costs beyond storing the call.
 * Method: README.md.
 */
import { isDeepStrictEqual } from 'node:util';
import { formatOps, formatRatio, machineLoad, table, today, writeResults } from '../lib/harness.ts';
import { PAYLOADS } from '../mesh-common/api.ts';
import { agentsUnavailable, connectAgents, connectCapnWeb, connectOurs, type PeerClient } from '../mesh-common/clients.ts';
import { startBenchWorker } from '../mesh-common/server.ts';
import { connectFloor, startFloorWorker } from './floor-client.ts';
import { concurrentThroughput, sequentialLatency, warmUp } from '../mesh-common/timing.ts';

const ROUNDS = 9;
const SEQ_OPS_PER_ROUND = 60;
const CONCURRENCY = 32;
const CONC_OPS_PER_ROUND = 320;
const WARMUP = 50;
const TARGET = 1.2;
const FLOOR_TARGET = 1.15;

const OPERATIONS: Array<[string, (p: PeerClient) => Promise<unknown>, (v: unknown) => boolean]> = [
  ['increment()', (p) => p.increment(), (v) => typeof v === 'number' && v > 0],
  ['echo ~100 B', (p) => p.echo(PAYLOADS['100 B']), (v) => isDeepStrictEqual(v, PAYLOADS['100 B'])],
  ['echo ~10 KB', (p) => p.echo(PAYLOADS['10 KB']), (v) => isDeepStrictEqual(v, PAYLOADS['10 KB'])],
];

const loadAtStart = machineLoad();
const started = performance.now();
const agentsMissing = agentsUnavailable();
const [worker, agentsWorker] = await Promise.all([startFloorWorker(), agentsMissing ? undefined : startBenchWorker('agents-worker')]);
console.log(`wrangler dev ready after ${((performance.now() - started) / 1000).toFixed(1)} s`);
const peers: PeerClient[] = [];
try {
  peers.push(await connectOurs(worker.url, 'client1', 'client-bench'));
  peers.push(await connectCapnWeb(worker.wsUrl, 'client-bench'));
  peers.push(await connectFloor(worker.wsUrl, 'floor.gateway', 'client-bench-floor'));
  peers.push(await connectFloor(worker.wsUrl, 'durable-floor.gateway', 'client-bench-durable-floor', true));
  if (agentsWorker) peers.push(await connectAgents(new URL(agentsWorker.url).host, 'client-bench'));
  const [ours, capn, floor, durableFloor, agents] = peers;

  const rows: string[][] = [];
  const ratios: Array<{ op: string; seq: number; conc: number; concMedian: number; floor: number; durableFloor: number; agents?: number }> = [];
  for (const [opName, run, check] of OPERATIONS) {
    for (const peer of peers) {
      const value = await run(peer);
      if (!check(value)) throw new Error(`${peer.name} ${opName} answered wrongly: ${JSON.stringify(value).slice(0, 200)}`);
    }
    const cases: Array<[string, () => Promise<unknown>]> = peers.map((p) => [p.name, () => run(p)]);
    await warmUp(cases, WARMUP);
    const seq = await sequentialLatency(cases, { rounds: ROUNDS, opsPerRound: SEQ_OPS_PER_ROUND });
    const conc = await concurrentThroughput(cases, { rounds: ROUNDS, opsPerRound: CONC_OPS_PER_ROUND, concurrency: CONCURRENCY });
    const seqRatio = seq.get(ours.name)!.opsPerSec / seq.get(capn.name)!.opsPerSec;
    const concRatio = conc.get(ours.name)!.best / conc.get(capn.name)!.best;
    // The best round favours the burstier peer (issue 18), so the median rounds' ratio is shown too.
    const concMedianRatio = conc.get(ours.name)!.median / conc.get(capn.name)!.median;
    const agentsRatio = agents ? conc.get(ours.name)!.best / conc.get(agents.name)!.best : undefined;
    // Latency ratio: above 1 is slower than the floor.
    const floorRatio = seq.get(ours.name)!.p50 / seq.get(floor.name)!.p50;
    // The durable floor writes the two rows exactly-once needs (the call in, the answer out).
    const durableFloorRatio = seq.get(ours.name)!.p50 / seq.get(durableFloor.name)!.p50;
    ratios.push({ op: opName, seq: seqRatio, conc: concRatio, concMedian: concMedianRatio, floor: floorRatio, durableFloor: durableFloorRatio, agents: agentsRatio });
    for (const peer of peers) {
      const s = seq.get(peer.name)!;
      const c = conc.get(peer.name)!;
      const isOurs = peer === ours;
      rows.push([
        opName,
        peer.name,
        s.p50.toFixed(2),
        s.p99.toFixed(2),
        formatOps(s.opsPerSec),
        `${formatOps(c.best)} (${formatOps(c.median)})`,
        isOurs ? formatRatio(seqRatio) : '—',
        isOurs ? `${formatRatio(concRatio)} (${formatRatio(concMedianRatio)})` : '—',
        isOurs && agentsRatio !== undefined ? formatRatio(agentsRatio) : '—',
        isOurs ? `${formatRatio(floorRatio)} ${floorRatio <= FLOOR_TARGET ? 'MET' : 'MISSED'}` : '—',
        isOurs ? formatRatio(durableFloorRatio) : peer === durableFloor ? `(its p50 ÷ floor p50: ${formatRatio(s.p50 / seq.get(floor.name)!.p50)})` : '—',
        isOurs ? (concRatio >= TARGET ? 'MET' : 'MISSED') : '',
      ]);
    }
    console.log(`${opName}: ours ÷ Cap'n Web = ${formatRatio(seqRatio)} sequential, ${formatRatio(concRatio)} at ${CONCURRENCY} concurrent (median rounds ${formatRatio(concMedianRatio)}); ours p50 ÷ floor p50 = ${formatRatio(floorRatio)}, ÷ durable floor p50 = ${formatRatio(durableFloorRatio)}`);
  }
  if (agentsMissing) rows.push(['all', 'Agents SDK', 'n/a', '', '', '', '', '', '', '', '', agentsMissing]);
  const results = table(
    [
      'operation',
      'client',
      'sequential p50 ms',
      'sequential p99 ms',
      'sequential ops/s (1000 ÷ p50)',
      `${CONCURRENCY} concurrent ops/s best (median)`,
      "ours ÷ Cap'n Web, sequential",
      `ours ÷ Cap'n Web, ${CONCURRENCY} concurrent, best (median) rounds`,
      `ours ÷ Agents SDK, ${CONCURRENCY} concurrent`,
      `ours p50 ÷ floor p50 (target ≤ ${FLOOR_TARGET}×)`,
      'ours p50 ÷ durable floor p50',
      `target ≥ ${TARGET}× Cap'n Web (concurrent)`,
    ],
    rows,
  );
  const headline =
    ratios.map((r) => `${r.op} ${formatRatio(r.conc)} (median rounds ${formatRatio(r.concMedian)})`).join(', ') +
    `; ours p50 ÷ floor p50 (sequential): ${ratios.map((r) => `${r.op} ${formatRatio(r.floor)}`).join(', ')}` +
    `; ÷ durable floor p50: ${ratios.map((r) => `${r.op} ${formatRatio(r.durableFloor)}`).join(', ')}` +
    (agents ? `; ours ÷ Agents SDK: ${ratios.map((r) => `${r.op} ${formatRatio(r.agents!)}`).join(', ')}` : '');
  console.log(`\n${results}\n\nHeadline (ours ÷ Cap'n Web, ${CONCURRENCY} concurrent ops/s): ${headline}`);
  writeResults(
    `Measured ${today()}, Node ${process.version}, ${process.platform}/${process.arch}, ${loadAtStart} at the start (a shared machine: other jobs ran alongside).\n\n${results}\n\nHeadline (ours ÷ Cap'n Web, ${CONCURRENCY} concurrent ops/s): ${headline}.`,
  );
} finally {
  for (const p of peers) await p.close().catch(() => undefined);
  await Promise.all([worker.stop(), agentsWorker?.stop()]);
}
