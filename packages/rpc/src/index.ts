/**
 * @lumenize/rpc: browser/Node → Durable Object RPC with operation chaining and nesting (OCAN), over
 * HTTP batches or hibernating WebSockets. Imports no `cloudflare:*` module; the OCAN core comes from
 * `@lumenize/mesh/client`. Guide: docs/rpc.md.
 */
export { lumenizeRpcDO } from './server/lumenize-rpc-do.ts';
export { handleRpcRequest } from './server/handle-request.ts';
export { handleRpcMessage } from './server/handle-message.ts';
export { sendDownstream } from './server/downstream.ts';
export { schemaValidators, RpcArgumentError } from './server/schema-validators.ts';
export { createRpcClient, type RpcClient } from './client/create-client.ts';
export { setInspectMode, getLastBatchRequest } from './client/inspect-mode.ts';
export { createHttpTransport, HttpPostRpcTransport, type HttpTransportConfig } from './client/http-transport.ts';
export { createWebSocketTransport, WebSocketRpcTransport, type WebSocketTransportConfig } from './client/websocket-transport.ts';
export { encodeBatchRequest } from './client/encoded-batch.ts';
export { UnsupportedArgumentError } from './client/argument-transform.ts';
export { UnserializableResultError } from './server/flatten.ts';
export { RpcAccessDeniedError, RpcBatchRefusedError, ConsumedByPipeliningError, RpcTransportError, TransactionalBatchError } from './errors.ts';
export * from './limits.ts';
export type {
  Operation,
  OperationChain,
  NestedOperationMarker,
  RemoteFunctionMarker,
  RpcBatchEntry,
  RpcBatchRequest,
  RpcBatchResponse,
  RpcResultEntry,
  RpcConfig,
  RpcValidator,
  RpcClientConfig,
  RpcClientProxy,
  RpcAccessible,
  RpcTransport,
  RpcCallInfo,
} from './types.ts';
