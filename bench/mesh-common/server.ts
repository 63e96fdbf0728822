/**
 * Starts the benchmark Worker (bench/mesh-common/worker/) under real `wrangler dev` on a free
 * loopback port, with its Durable Object storage in a fresh folder on tmpfs when there is one (so
 * local disk syncs do not swamp the transport being measured; see the suites' READMEs).
 *
 * Bundled suites run from node_modules/.bench/, so the bench folder comes from BENCH_SUITE_DIR (set
 * by bench/run.mjs) rather than from this file's URL.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWranglerDev } from '../../tools/wrangler-dev.ts';
import { freezeWorker } from '../lib/frozen-worker.ts';

/** The running Worker: its http and ws base URLs, its log, and a stop function that also removes its storage. */
export interface BenchWorker {
  url: string;
  wsUrl: string;
  /** The Worker's DevTools inspector port (profiling: bench/mesh-common/profile.ts). */
  inspectorPort: number;
  output(): string;
  stop(): Promise<void>;
}

function benchDir(): string {
  const suiteDir = process.env.BENCH_SUITE_DIR;
  return suiteDir ? resolve(suiteDir, '..') : resolve(dirname(fileURLToPath(import.meta.url)), '..');
}

/** bench/mesh-common/<folder>, for the Worker folders and the Agents peer's own node_modules. */
export function meshCommonDir(folder: string): string {
  return join(benchDir(), 'mesh-common', folder);
}

/**
 * Starts `wrangler dev` for a Worker folder in bench/mesh-common/ (`worker`: ours and Cap'n Web;
 * `agents-worker`: the Agents SDK peer) and waits until it answers (tools/wrangler-dev.ts, which
 * retries with fresh ports). Storage goes to a fresh folder, removed on stop. `worker` imports
 * packages/* and is served frozen ({@link startFrozenWorker}); the Agents peer imports none of
 * them and runs from its own node_modules, so it is served from its sources.
 */
export async function startBenchWorker(folder: 'worker' | 'agents-worker' = 'worker', timeoutMs = 120_000): Promise<BenchWorker> {
  if (folder === 'worker') return startFrozenWorker(meshCommonDir(folder), 'lmz-mesh-bench-', timeoutMs);
  return startWorkerIn(meshCommonDir(folder), 'lmz-mesh-bench-', timeoutMs);
}

/**
 * Serves a frozen bundle of the Worker in `workerDir` (bench/lib/frozen-worker.ts), so edits to the
 * sources during a run cannot restart the Worker and drop its sockets; stop() removes the bundle too.
 */
export async function startFrozenWorker(workerDir: string, storagePrefix: string, timeoutMs = 120_000): Promise<BenchWorker> {
  const frozen = await freezeWorker(workerDir, storagePrefix);
  const worker = await startWorkerIn(frozen.dir, storagePrefix, timeoutMs).catch((error: unknown) => {
    frozen.remove();
    throw error;
  });
  return {
    ...worker,
    stop: async () => {
      await worker.stop();
      frozen.remove();
    },
  };
}

/** Serves the Worker project in `cwd` under `wrangler dev`, its storage in a fresh folder (tmpfs when there is one) removed on stop. */
export async function startWorkerIn(cwd: string, storagePrefix: string, timeoutMs = 120_000): Promise<BenchWorker> {
  const persistTo = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), storagePrefix));
  const dev = await startWranglerDev({ cwd, persistTo, timeoutMs }).catch((error: unknown) => {
    rmSync(persistTo, { recursive: true, force: true });
    throw error;
  });
  return {
    url: dev.url,
    wsUrl: dev.url.replace(/^http/, 'ws'),
    inspectorPort: dev.inspectorPort,
    output: dev.output,
    stop: async () => {
      await dev.stop();
      rmSync(persistTo, { recursive: true, force: true });
    },
  };
}
