/**
 * `LumenizeFanoutWorker`: the stand-alone tiers of a fan-out (mesh spec §9 item 11). Export it from
 * your Worker and bind it as `LUMENIZE_FANOUT`; it holds no state and is reached only over Workers
 * RPC by your own code (the gateway only ever calls `__executeOperation`, which it does not have).
 */
import { WorkerEntrypoint } from 'cloudflare:workers';
import type { LmzIntermediate } from '@lumenize/structured-clone';
import { validateFanoutJob } from './job.ts';
import { encodeSummary } from './summary.ts';
import { runTier } from './tier.ts';

/**
 * A tier of fan-out: splits its branch further or delivers it, and answers the branch's summary.
 * @example export { LumenizeFanoutWorker } from '@lumenize/mesh';
 *   // wrangler.jsonc: "services": [{ "binding": "LUMENIZE_FANOUT", "service": "<this worker>", "entrypoint": "LumenizeFanoutWorker" }]
 */
export class LumenizeFanoutWorker<Env = Cloudflare.Env> extends WorkerEntrypoint<Env> {
  /** One branch (framework-only): the summary in structured-clone wire form. */
  async __lmzFanout(job: unknown): Promise<LmzIntermediate> {
    validateFanoutJob(job);
    return encodeSummary(await runTier(this.env as object, job));
  }
}
