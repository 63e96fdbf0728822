/** Global setup of `testing:node` (runs in Node): serves test/live with real `wrangler dev`. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startWranglerDev } from '../../../../tools/wrangler-dev.ts';
import './provided.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const persistTo = mkdtempSync(join(tmpdir(), 'lmz-testing-live-'));
  const dev = await startWranglerDev({ cwd: join(import.meta.dirname, '../live'), config: 'wrangler.jsonc', persistTo, timeoutMs: 120_000 });
  project.provide('testingLiveUrl', dev.url);
  return async () => {
    await dev.stop();
    rmSync(persistTo, { recursive: true, force: true });
  };
}
