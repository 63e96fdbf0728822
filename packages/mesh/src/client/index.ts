/**
 * `@lumenize/mesh/client`: what runs in browsers, Node and Bun — LumenizeClient, the decorators,
 * the OCAN core, the errors, GatewayMessageType and the types. Never imports `cloudflare:*`.
 */
export { LumenizeClient, type LumenizeClientConfig, type LmzApiClient } from './lumenize-client.ts';
export type { ConnectionState } from './connection.ts';
export type { Subscription, SubscriptionStatus, SubscribeOptions } from '../pubsub/client-subscriptions.ts';
// The core decorators: `@mesh({ args, returns })` needs `import '@lumenize/mesh/client/validation'`.
export { mesh, meshFn, result, local } from '../decorators-core.ts';
export * from '../ocan/index.ts';
export { ClientDisconnectedError, LoginRequiredError, RateLimitedError } from '../errors.ts';
export { FrameTooLargeError, FRAME_TOO_LARGE } from './frame-too-large-error.ts';
// Errors the gateway sends; registered here too so a client receives the same classes.
export { InvalidPeerResultError } from '../gateway/invalid-peer-result-error.ts';
export { CallOutcomeUnknownError, OutboxFullError, CALL_OUTCOME_UNKNOWN, OUTBOX_FULL } from '../gateway/outbox-errors.ts';
export { MAX_FRAME_BYTES } from './frames.ts';
export {
  HEARTBEAT_PING,
  HEARTBEAT_PONG,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_PONG_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
} from './heartbeat.ts';
export {
  GatewayMessageType,
  type GatewayMessage,
  type CallMessage,
  type CallResponseMessage,
  type IncomingCallMessage,
  type IncomingCallResponseMessage,
  type ConnectionStatusMessage,
  type NodeType,
  type NodeIdentity,
  type OriginAuth,
  type CallContext,
  type CallOptions,
} from '../protocol.ts';
export * from '../validation/index.ts';
