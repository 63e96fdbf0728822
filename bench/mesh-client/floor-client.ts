/**
 * The floor's client (floor-worker/floor-gateway.mts): a plain WebSocket sending one JSON message
 * per call and matching answers by id. Nothing else: no reconnect, no seq/ack, no batching.
 */
import { join, resolve } from 'node:path';
import { startFrozenWorker, type BenchWorker } from '../mesh-common/server.ts';
import type { PeerClient } from '../mesh-common/clients.ts';

/**
 * Starts bench/mesh-client/floor-worker (the shared Worker plus the floor gateway) under `wrangler dev`,
 * as a frozen bundle (edits to packages/* during a run cannot restart it), storage on tmpfs.
 */
export async function startFloorWorker(timeoutMs = 120_000): Promise<BenchWorker> {
  const suiteDir = process.env.BENCH_SUITE_DIR ?? resolve('bench', 'mesh-client');
  return startFrozenWorker(join(suiteDir, 'floor-worker'), 'lmz-mesh-client-bench-', timeoutMs);
}

/**
 * Connects to `FLOOR_GATEWAY(<gateway>)` (or, `durable`, `DURABLE_FLOOR_GATEWAY(<gateway>)`), which
 * calls `MESH_COUNTER(<instance>)` by native RPC.
 */
export async function connectFloor(wsUrl: string, gateway: string, instance: string, durable = false): Promise<PeerClient> {
  const ws = new WebSocket(`${wsUrl}/${durable ? 'durable-floor' : 'floor'}/${encodeURIComponent(gateway)}`);
  await new Promise<void>((resolveOpen, reject) => {
    ws.addEventListener('open', () => resolveOpen(), { once: true });
    ws.addEventListener('error', () => reject(new Error('floor socket did not open')), { once: true });
  });
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let nextId = 0;
  ws.addEventListener('message', (event) => {
    const answer = JSON.parse(String(event.data)) as { id: number; result?: unknown; error?: string };
    const p = pending.get(answer.id);
    pending.delete(answer.id);
    if (answer.error !== undefined) p?.reject(new Error(answer.error));
    else p?.resolve(answer.result);
  });
  const call = (op: 'increment' | 'echo', value?: unknown): Promise<unknown> =>
    new Promise((resolveCall, reject) => {
      const id = ++nextId;
      pending.set(id, { resolve: resolveCall, reject });
      ws.send(JSON.stringify({ id, op, target: instance, value }));
    });
  return {
    name: durable ? 'durable floor' : 'floor',
    increment: () => call('increment'),
    echo: (value) => call('echo', value),
    nested3: () => Promise.reject(new Error('the floor has no nested calls')),
    async close() {
      ws.close(1000);
    },
  };
}
