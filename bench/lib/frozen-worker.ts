/**
 * Freezes a bench Worker: bundles it once with esbuild into a temp folder, next to a copy of its
 * wrangler config that says `no_bundle`. `wrangler dev` on the sources watches every file the Worker
 * imports and restarts the Worker when one changes, which drops every open socket (1006); on a
 * checkout where other work edits packages/*, that ended runs half way. Served by
 * bench/mesh-common/server.ts `startFrozenWorker`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Esbuild from 'esbuild';

/** A frozen Worker folder (`worker.mjs` + `wrangler.json`); remove() deletes it. */
export interface FrozenWorkerDir {
  dir: string;
  remove(): void;
}

/** Bundles `workerDir` (its wrangler.jsonc and that config's `main`) into a fresh temp folder. */
export async function freezeWorker(workerDir: string, prefix: string): Promise<FrozenWorkerDir> {
  // Full-line comments only: the bench configs carry no inline ones.
  const config = JSON.parse(readFileSync(join(workerDir, 'wrangler.jsonc'), 'utf8').replace(/^\s*\/\/.*$/gm, '')) as Record<string, unknown>;
  const dir = mkdtempSync(join(tmpdir(), `${prefix}worker-`));
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    // Resolved from the Worker's folder: the suites themselves run as bundles from node_modules/.bench/.
    const { build } = createRequire(join(workerDir, 'wrangler.jsonc'))('esbuild') as typeof Esbuild;
    await build({
      entryPoints: [join(workerDir, String(config.main))],
      outfile: join(dir, 'worker.mjs'),
      bundle: true,
      format: 'esm',
      platform: 'browser',
      conditions: ['workerd', 'worker', 'browser'],
      target: 'es2022', // lowers TC39 decorators
      external: ['cloudflare:*', 'node:*'],
      logLevel: 'error',
    });
    writeFileSync(join(dir, 'wrangler.json'), JSON.stringify({ ...config, main: 'worker.mjs', no_bundle: true }, null, 2));
    return { dir, remove };
  } catch (error) {
    remove();
    throw error;
  }
}
