/**
 * Stand-ins for the gateway's error classes (src/error-stand-ins.ts): until a real class is
 * loaded (outbox-errors.ts and invalid-peer-result-error.ts import this module first, then register
 * the real classes over the stand-ins), such an error arriving from another node revives with its
 * name and its fields.
 */
import { registerStandIns } from '../error-stand-ins.ts';

registerStandIns([
  ['CallOutcomeUnknownError', Error],
  ['OutboxFullError', Error],
  ['InvalidPeerResultError', Error],
]);
