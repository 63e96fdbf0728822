/** Fan-out (mesh spec §9 item 11): `this.svc.fanout`, LumenizeFanoutWorker, tiers, summaries. */
export { Fanout } from './service.ts';
export { LumenizeFanoutWorker } from './fanout-worker.ts';
export { FanoutLimitError, FanoutBranchError, type FanoutLimitCode } from './errors.ts';
export { MAX_DIRECT, MAX_RECIPIENTS, HARD_MAX_RECIPIENTS, BRANCH_TIMEOUT_MS, FANOUT_BINDING, type FanoutOptions } from './limits.ts';
export type { FanoutSummary, FanoutFailure } from './summary.ts';
export type { FanoutRecipient } from './job.ts';
