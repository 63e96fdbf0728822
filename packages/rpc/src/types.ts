/**
 * Public types of @lumenize/rpc. `Operation`, `OperationChain` and `NestedOperationMarker` are the
 * mesh OCAN core's own types (one core, mesh §3.9).
 */
import type { NestedOperationMarker, Operation, OperationChain, WireOperationChain } from '@lumenize/mesh/client';

export type { NestedOperationMarker, Operation, OperationChain, WireOperationChain };

/** How a function found in a result travels: the path below the result and the function's name. */
export interface RemoteFunctionMarker {
  readonly __isRemoteFunction: true;
  readonly __operationChain: OperationChain;
  readonly __functionName: string;
}

/** One entry of a batch: its chain (wire form, nested chains out of band) and extra values to return. */
export interface RpcBatchEntry {
  id: number;
  operations: WireOperationChain;
  /** Values of consumed prefixes (`at` = operation index) or aliased nested chains (`at` = refId). */
  also?: { id: number; at: number | string }[];
  /** Inspection (`__asObject()`) instead of a plain result. */
  inspect?: boolean;
}

/** A batch as queued by the client (after OCAN processing, before serialization). */
export interface RpcBatchRequest {
  batch: RpcBatchEntry[];
}

/** One result entry. */
export type RpcResultEntry = { id: number; success: true; result: unknown } | { id: number; success: false; error: unknown };

/** A batch response: one entry per request entry, then any `also` entries. */
export interface RpcBatchResponse {
  batch: RpcResultEntry[];
}

/** What `onBeforeCall` learns about the caller. */
export interface RpcCallInfo {
  transport: 'http' | 'websocket';
  headers?: Headers;
  connection?: Record<string, unknown>;
  clientId?: string;
}

/** A `validators` entry: throws to refuse; a returned array replaces the arguments. */
export type RpcValidator = (args: unknown[]) => unknown[] | void;

/** Server options (all optional); see docs/rpc.md#configuration. */
export interface RpcConfig {
  prefix?: string;
  maxDepth?: number;
  maxArgs?: number;
  maxBatchSize?: number;
  maxRequestBytes?: number;
  access?: 'methods' | 'full';
  onBeforeConnect?: (request: Request) => Response | Record<string, unknown> | void;
  onBeforeCall?: (operations: OperationChain, info: RpcCallInfo) => void;
  transactional?: boolean;
  /**
   * Per-method argument checks keyed by the chain's first key. Throw to refuse; return an array to
   * call the method with those values instead (schema outputs: defaults, transforms, coercions).
   */
  validators?: Record<string, RpcValidator>;
  /**
   * `hibernate: false` accepts RPC sockets with `accept()` instead of the hibernation API: lower
   * per-message latency, but the DO stays in memory (and billed for duration) while any socket is
   * open. Default `true`. See docs/rpc.md#hibernation.
   */
  webSocket?: { hibernate?: boolean };
}

/** A transport: sends one batch and answers with its response. */
export interface RpcTransport {
  execute(batch: RpcBatchRequest): Promise<RpcBatchResponse>;
  connect?(): Promise<void>;
  disconnect?(): void;
  isConnected?(): boolean;
  setDownstreamHandler?(handler: (payload: unknown) => void | Promise<void>): void;
  setKeepAlive(enabled: boolean): void;
}

/** Options of `createRpcClient`. */
export interface RpcClientConfig {
  transport: RpcTransport;
  clientId?: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- payloads are whatever the DO sends
  onDownstream?: (payload: any) => void | Promise<void>;
  onClose?: (code: number, reason: string) => void | Promise<void>;
}

/** Members mixed into every client. */
export interface RpcClientProxy {
  [Symbol.dispose](): void;
  transportInstance: RpcTransport;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- an inspection copy of the DO
  __asObject?(): Promise<any>;
}

declare global {
  // Merges with @cloudflare/workers-types' DurableObjectState; an empty stand-in where those types are absent (Node, browsers).
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface DurableObjectState<Props = unknown> {}
}

/** Makes the protected `ctx`/`env` visible to TypeScript. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- env bindings are the user's
export type RpcAccessible<T> = Omit<T, 'ctx' | 'env'> & { ctx: DurableObjectState; env: any };
