/**
 * @lumenize/mesh — Durable Objects, Worker entrypoints and clients as peers of one mesh.
 * Guide: docs/mesh.md. Spec: mesh.md.
 *
 * Seams for the gateway, client and router (inside this package, import the files directly):
 * - Wire types and constants: `./protocol.ts` (CallEnvelope, CallResult, GatewayMessageType, the
 *   five GatewayMessage interfaces, NodeIdentity, CallContext, WireCallContext). Runtime-neutral.
 * - Envelope codec: `./envelope.ts` — `buildCallEnvelope`, `validateCallEnvelope`, `decodeWork`,
 *   `serializeChain` (continuation → wire, rejects functions/`$result`), `encodeResult`,
 *   `encodeError`, `decodeCallResult`, `serializeValue`/`deserializeValue`. Runtime-neutral.
 * - Stubs: `./stub.ts` — `checkMeshBinding(env, binding, instance)` then
 *   `using stub = getMeshStub(env, binding, instance)` at the call site (the one observable seam).
 * - Call context: `./call-context.ts` (validate/receive/copy/outgoing; runtime-neutral) and
 *   `./context-store.ts` (AsyncLocalStorage; server only; clients keep their own current context).
 * - OCAN core: `./ocan/index.ts` (runtime-neutral); inbound policy `INBOUND_EXECUTION` in
 *   `./node/inbound.ts`; local (handler) execution `LOCAL_EXECUTION` in `./node/outbound.ts`.
 * - Decorators `./decorators.ts`, errors `./errors.ts`, batches `./batch.ts`,
 *   handler checks `./handler-target.ts` (all runtime-neutral).
 */
export { LumenizeDO, type PendingWork } from './node/lumenize-do.ts';
export { LumenizeWorker } from './node/lumenize-worker.ts';
export { LumenizeClientGateway } from './gateway/index.ts';
export { createLumenizeRouter, type LumenizeRouterOptions } from './router/index.ts';
export { LumenizeClient, type LumenizeClientConfig, type LmzApiClient, type ConnectionState, type Subscription } from './client/index.ts';
export { mesh, meshFn, result, local, type MeshMethodDecorator, type MeshOptions, type ValidatedMethodDecorator } from './decorators.ts';
export type { MeshGuard } from './ocan/entry-points.ts';
/** The name of the first method a continuation's chain calls (for messages and logs). */
export { entryName } from './handler-target.ts';
export {
  newContinuation,
  getOperationChain,
  executeOperationChain,
  executeOperationChainSync,
  validateOperationChain,
  replaceNestedOperationMarkers,
  isNestedOperationMarker,
  encodeOperationChain,
  decodeOperationChain,
  chainBudget,
  type ChainBudget,
  isContinuation,
  SynchronousExecutionError,
  type Operation,
  type OperationChain,
  type OcanConfig,
  type NestedOperationMarker,
  type WireOperationChain,
  type WireOperation,
  type WireNestedOperation,
  type Continuation,
  type AnyContinuation,
} from './ocan/index.ts';
export { ClientDisconnectedError, LoginRequiredError, RateLimitedError } from './errors.ts';
export { InvalidPeerResultError } from './gateway/invalid-peer-result-error.ts';
export { CallOutcomeUnknownError, OutboxFullError, CALL_OUTCOME_UNKNOWN, OUTBOX_FULL } from './gateway/outbox-errors.ts';
export { FrameTooLargeError, FRAME_TOO_LARGE } from './client/frame-too-large-error.ts';
export { SubscriptionLimitError, UnknownSubscriptionError } from './pubsub/protocol.ts';
export {
  GatewayMessageType,
  type NodeType,
  type NodeIdentity,
  type OriginAuth,
  type CallContext,
  type CallOptions,
  type CallEnvelope,
  type CallResult,
  type GatewayMessage,
  type CallMessage,
  type CallResponseMessage,
  type IncomingCallMessage,
  type IncomingCallResponseMessage,
  type ConnectionStatusMessage,
} from './protocol.ts';
export type { LmzApi, LmzCalls } from './lmz-api.ts';
export type { Unprotected } from './unprotected.ts';
export { NadisPlugin, type LumenizeServices, type ServiceFactory } from './nadis/registry.ts';
export { sql, type SqlTag, type SqlRow, type SqlMigration } from './nadis/sql.ts';
export { Fanout, LumenizeFanoutWorker, FanoutLimitError, FanoutBranchError, MAX_DIRECT, MAX_RECIPIENTS, HARD_MAX_RECIPIENTS, BRANCH_TIMEOUT_MS, FANOUT_BINDING } from './fanout/index.ts';
export type { FanoutSummary, FanoutFailure, FanoutRecipient, FanoutOptions, FanoutLimitCode } from './fanout/index.ts';
export { Alarms, type Schedule, type ScheduledAlarm, type DelayedAlarm, type CronAlarm, type ScheduleOptions, type ScheduleCriteria } from './nadis/alarms.ts';
export * from './validation/index.ts';
export { runInCallContext } from './run-in-call-context.ts';
export type { WireCallContext } from './protocol.ts';
export { describeWireFrame, WireFormatError } from './wire/index.ts';
