/**
 * Starts the benchmark Worker (bench/mesh-common/worker/) under real `wrangler dev` on a free
 * loopback port, with its Durable Object storage in a fresh folder on tmpfs when there is one (so
 * local disk syncs do not swamp the transport being measured; see the suites' READMEs).
 *
 * This is tools/wrangler-dev.ts with one difference: the repository root comes from
 * BENCH_SUITE_DIR (set by bench/run.mjs), because bundled suites run from node_modules/.bench/,
 * where tools/wrangler-dev.ts's `import.meta.url`-relative path to wrangler no longer holds.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../tools/wrangler-dev.ts';

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
 * `agents-worker`: the Agents SDK peer) and waits until it answers.
 */
export async function startBenchWorker(folder: 'worker' | 'agents-worker' = 'worker', timeoutMs = 120_000): Promise<BenchWorker> {
  // A free port can be taken by another process between our probe and wrangler's bind (other
  // jobs start servers too): retry with fresh ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(folder, timeoutMs);
    } catch (error) {
      if (attempt >= 3) throw error;
      console.error(`[bench] wrangler dev for ${folder} failed to start (attempt ${attempt}), retrying: ${(error as Error).message.split('\n')[0]}`);
    }
  }
}

async function startOnce(folder: string, timeoutMs: number): Promise<BenchWorker> {
  const root = resolve(benchDir(), '..');
  const cwd = meshCommonDir(folder);
  const persistTo = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'lmz-mesh-bench-'));
  const port = await freePort();
  const inspector = await freePort();
  const args = [join(root, 'node_modules/wrangler/bin/wrangler.js'), 'dev', '--port', String(port), '--ip', '127.0.0.1'];
  args.push('--inspector-port', String(inspector), '--show-interactive-dev-session=false', '--persist-to', persistTo);
  const child = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_DISABLE_UPDATE_CHECK: 'true', CI: 'true', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let log = '';
  child.stdout?.on('data', (d) => (log += d));
  child.stderr?.on('data', (d) => (log += d));
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      const kill = (signal: NodeJS.Signals) => {
        try {
          process.kill(-child.pid!, signal); // the process group we created: wrangler and its workerd
        } catch {
          // Already gone.
        }
      };
      kill('SIGTERM');
      const timer = setTimeout(() => kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(persistTo, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`wrangler dev exited with ${child.exitCode}:\n${log}`);
    }
    if (/Ready on/.test(log)) {
      try {
        await fetch(url, { signal: AbortSignal.timeout(2_000) });
        return { url, wsUrl: url.replace(/^http/, 'ws'), inspectorPort: inspector, output: () => log, stop };
      } catch {
        // Not answering yet.
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`wrangler dev did not become ready within ${timeoutMs} ms:\n${log}`);
}
