/**
 * Global setup of `rpc:node` and `rpc:browser` (runs in Node): serves the rpc test Worker with real
 * `wrangler dev` and hands its URL to the tests (`inject('rpcDevUrl')`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startWranglerDev } from '../../../../tools/wrangler-dev.ts';
import '../shared/provided.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const persistTo = mkdtempSync(join(tmpdir(), 'lmz-rpc-dev-'));
  const dev = await startWranglerDev({ cwd: join(import.meta.dirname, '../..'), config: 'wrangler.jsonc', persistTo, timeoutMs: 90_000 });
  project.provide('rpcDevUrl', dev.url);
  return async () => {
    await dev.stop();
    rmSync(persistTo, { recursive: true, force: true });
  };
}
