/** Both revivers, for `postprocess`/`parse`, which always revive RequestSync and ResponseSync. */
import { reviveRequestSync } from './request-sync.ts';
import { reviveResponseSync } from './response-sync.ts';
import type { SyncRevivers } from './sync-parts.ts';

export const SYNC_REVIVERS: SyncRevivers = { 'request-sync': reviveRequestSync, 'response-sync': reviveResponseSync };
