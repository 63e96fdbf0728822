/**
 * Global setup of the `mesh:browser` project (runs in Node): serves the mesh clients test Worker
 * with real `wrangler dev` and hands its URL to the browser tests (`inject('meshDevUrl')`).
 */
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startWranglerDev } from '../../../../../tools/wrangler-dev.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    meshDevUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dev = await startWranglerDev({ cwd: join(import.meta.dirname, '..'), config: 'wrangler.jsonc', timeoutMs: 90_000 });
  project.provide('meshDevUrl', dev.url);
  return () => dev.stop();
}
