/** The gateway DO bridging LumenizeClients into the mesh (re-exported by `@lumenize/mesh`). */
export { LumenizeClientGateway } from './lumenize-client-gateway.ts';
export { HEARTBEAT_STALE_AFTER_MS, MAX_OUTBOUND_FRAME_BYTES } from './limits.ts';
export { CallOutcomeUnknownError, OutboxFullError, CALL_OUTCOME_UNKNOWN, OUTBOX_FULL } from './outbox-errors.ts';
