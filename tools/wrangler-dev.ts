/**
 * Starts `wrangler dev` for a Worker folder on a free loopback port and waits until it answers.
 * Used by Node-side tests (demo app, real-socket client tests) and benchmarks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

// Resolved like an import, so it also works when this file is bundled elsewhere (bench/).
const wranglerBin = join(dirname(createRequire(import.meta.url).resolve('wrangler/package.json')), 'bin/wrangler.js');

export interface WranglerDev {
  url: string;
  port: number;
  /** The Worker's DevTools inspector port (profiling). */
  inspectorPort: number;
  output(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface WranglerDevOptions {
  cwd: string;
  persistTo?: string;
  config?: string;
  vars?: Record<string, string>;
  timeoutMs?: number;
}

/**
 * Starts wrangler dev and waits until it answers. A free port can be taken by another process between
 * our probe and wrangler's bind, so a failed start is retried (3 attempts) with fresh ports.
 */
export async function startWranglerDev(opts: WranglerDevOptions): Promise<WranglerDev> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(opts);
    } catch (error) {
      if (attempt >= 3) throw error;
      console.error(`[wrangler-dev] start in ${opts.cwd} failed (attempt ${attempt}), retrying: ${(error as Error).message.split('\n')[0]}`);
    }
  }
}

async function startOnce(opts: WranglerDevOptions): Promise<WranglerDev> {
  const port = await freePort();
  const inspector = await freePort();
  const args = [wranglerBin, 'dev', '--port', String(port), '--ip', '127.0.0.1', '--inspector-port', String(inspector), '--show-interactive-dev-session=false'];
  if (opts.persistTo) args.push('--persist-to', opts.persistTo);
  if (opts.config) args.push('--config', opts.config);
  for (const [k, v] of Object.entries(opts.vars ?? {})) args.push('--var', `${k}:${v}`);
  const server = await startServer({
    what: 'wrangler dev',
    command: process.execPath,
    args,
    cwd: opts.cwd,
    env: { WRANGLER_SEND_METRICS: 'false', WRANGLER_DISABLE_UPDATE_CHECK: 'true', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
    url: `http://127.0.0.1:${port}`,
    timeoutMs: opts.timeoutMs ?? 60_000,
    ready: async (url, log) => /Ready on/.test(log) && (await fetch(url, { signal: AbortSignal.timeout(2_000) }), true),
  });
  return { ...server, port, inspectorPort: inspector };
}

/** A server process started by {@link startServer}. */
export interface StartedServer {
  url: string;
  output(): string;
  /** SIGTERM to the whole process group (the command and its children), SIGKILL after 5 s. */
  stop(): Promise<void>;
}

/**
 * Spawns `command` in its own process group and polls `ready(url, log)` until it returns true (a
 * throw counts as "not yet"). Stops the process and throws with its output when it exits early or
 * is not ready within `timeoutMs`.
 */
export async function startServer(opts: {
  what: string;
  command: string;
  args: string[];
  cwd: string;
  env?: Record<string, string>;
  url: string;
  timeoutMs: number;
  ready(url: string, log: string): Promise<boolean>;
}): Promise<StartedServer> {
  const child: ChildProcess = spawn(opts.command, opts.args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env, CI: 'true', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let log = '';
  child.stdout?.on('data', (d) => (log += d));
  child.stderr?.on('data', (d) => (log += d));
  const kill = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // Already gone.
    }
  };
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    kill('SIGTERM');
    const timer = setTimeout(() => kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + opts.timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`${opts.what} exited with ${child.exitCode}:\n${log}`);
    }
    try {
      if (await opts.ready(opts.url, log)) return { url: opts.url, output: () => log, stop };
    } catch {
      // Not answering yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`${opts.what} did not become ready within ${opts.timeoutMs} ms:\n${log}`);
}
