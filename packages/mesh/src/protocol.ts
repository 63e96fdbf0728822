/**
 * Wire and identity types shared by every node kind (DO, Worker, client, gateway). Runtime-neutral:
 * types and constants only. See docs/mesh.md#protocol and spec mesh.md §5.
 */
import type { LmzIntermediate } from '@lumenize/structured-clone';
import type { OperationChain } from './ocan/types.ts';
import type { CompactChain } from './wire/chain.ts';

/** Kinds of mesh node. */
export type NodeType = 'LumenizeDO' | 'LumenizeWorker' | 'LumenizeClient';

/**
 * Who a node is: `bindingName` is its binding in `env` (clients: the gateway binding);
 * `instanceName` is the DO name (or 64-hex id) or the client's `{userId}.{tabId}`; Workers have none.
 */
export interface NodeIdentity {
  type: NodeType;
  bindingName: string;
  instanceName?: string;
}

/** The verified user behind a chain, set only by the gateway from verified connection data. */
export interface OriginAuth {
  userId: string;
  claims?: Record<string, unknown>;
}

/**
 * The context of the current mesh call, read as `this.lmz.callContext`. `origin`, `caller` and
 * `priorCaller` are derived from `callChain` on receipt; `callChain` and `originAuth` are frozen.
 */
export interface CallContext {
  /** Origin first, immediate caller last; never empty. */
  readonly callChain: readonly NodeIdentity[];
  /** `callChain[0]`. */
  readonly origin: NodeIdentity;
  /** `callChain.at(-1)`. */
  readonly caller: NodeIdentity;
  /** `callChain.at(-2)`, when the chain has two or more entries. */
  readonly priorCaller?: NodeIdentity;
  /** Verified user (from the gateway); absent on server-originated chains. */
  readonly originAuth?: OriginAuth;
  /** Mutable per-call data; flows forward to callees, never back. */
  state: Record<string, unknown>;
}

/** The part of a call context that travels: `{ callChain, originAuth?, state }`. */
export interface WireCallContext {
  callChain: NodeIdentity[];
  originAuth?: OriginAuth;
  state: Record<string, unknown>;
}

/** Options of `lmz.call` / `lmz.callRaw`. */
export interface CallOptions {
  /** Start a fresh chain: `callChain = [self]`, no `originAuth`, `state = options.state ?? {}`. */
  newChain?: boolean;
  /** With `newChain`, the initial state; otherwise shallow-merged over the inherited state. */
  state?: Record<string, unknown>;
  /** Callee side: a LumenizeDO callee runs the whole inbound call inside `transactionSync`. */
  transaction?: boolean;
  /** Caller side (DO only): the result handler runs inside `transactionSync`. */
  handlerTransaction?: boolean;
  /** Caller side (DO only): round trip and handler run inside one `blockConcurrencyWhile` (25 s cap). */
  exclusive?: boolean;
}

/** Routing facts a callee learns its identity from (the only place the word `metadata` is used). */
export interface EnvelopeMetadata {
  caller: { type: NodeType; bindingName?: string; instanceNameOrId?: string };
  callee: { type: NodeType; bindingName: string; instanceNameOrId?: string };
}

/** The message sent over Workers RPC to `__executeOperation` (spec §5.2). */
export interface CallEnvelope {
  version: 1;
  /**
   * The serialized operation chain, or (with `batch`) the serialized list of chains: a version-1
   * intermediate, or a client's compact chain (wire/chain.ts) that its gateway forwarded as text.
   */
  chain: LmzIntermediate | CompactChain;
  /** True when `chain` holds a list of chains to run atomically (`ctnBatch`). */
  batch?: boolean;
  callContext: WireCallContext;
  metadata: EnvelopeMetadata;
  /**
   * `transaction`: run the chain in one storage transaction. `resultText` (set by the gateway): reply
   * with `$result` as the intermediate's JSON text, which the gateway splices into its client frame
   * without rebuilding and re-stringifying the value.
   */
  options?: { transaction?: boolean; resultText?: boolean };
}

/** The reply of `__executeOperation`: exactly one of the two members, both serialized. */
export type CallResult = { $result: LmzIntermediate; $error?: undefined } | { $error: LmzIntermediate; $result?: undefined };

/**
 * A reply to an envelope with `options.resultText`: `$result` is JSON text, a compact-wire payload
 * `[0,json]`/`[1,intermediate]` (older callees: an intermediate's text; callees that ignore the
 * option reply with a {@link CallResult}).
 */
export type TextCallResult = { $result: string; $error?: undefined };

/** A deserialized operation chain or batch, as the callee sees it. */
export type ReceivedWork = { batch: false; chain: OperationChain } | { batch: true; chains: OperationChain[] };

/** Message types between a client and its gateway. */
export const GatewayMessageType = {
  CALL: 'call',
  CALL_RESPONSE: 'call_response',
  INCOMING_CALL: 'incoming_call',
  INCOMING_CALL_RESPONSE: 'incoming_call_response',
  CONNECTION_STATUS: 'connection_status',
} as const;

/** Client → gateway: call a mesh node. Any other field is ignored by the gateway. */
export interface CallMessage {
  type: typeof GatewayMessageType.CALL;
  callId: string;
  binding: string;
  instance?: string;
  chain: LmzIntermediate;
}

/** Gateway → client: the outcome of a `call`. `retryable` only when it was not run (token expired). */
export interface CallResponseMessage {
  type: typeof GatewayMessageType.CALL_RESPONSE;
  callId: string;
  success: boolean;
  result?: LmzIntermediate;
  error?: LmzIntermediate;
  retryable?: boolean;
}

/** Gateway → client: a mesh node calls this client. */
export interface IncomingCallMessage {
  type: typeof GatewayMessageType.INCOMING_CALL;
  callId: string;
  chain: LmzIntermediate;
  callContext: { callChain: NodeIdentity[]; originAuth?: OriginAuth; state: LmzIntermediate };
}

/** Client → gateway: the answer to an `incoming_call`. */
export interface IncomingCallResponseMessage {
  type: typeof GatewayMessageType.INCOMING_CALL_RESPONSE;
  callId: string;
  success: boolean;
  result?: LmzIntermediate;
  error?: LmzIntermediate;
}

/** Gateway → client: always the first message on a new connection. */
export interface ConnectionStatusMessage {
  type: typeof GatewayMessageType.CONNECTION_STATUS;
  subscriptionsLost: boolean;
}

/** Any message between a client and its gateway. */
export type GatewayMessage = CallMessage | CallResponseMessage | IncomingCallMessage | IncomingCallResponseMessage | ConnectionStatusMessage;

/** Version of the Workers RPC envelope. */
export const ENVELOPE_VERSION = 1;

/** Most entries a call chain may have; longer chains are refused (runaway ping-pong guard). */
export const MAX_CALL_CHAIN_LENGTH = 100;
