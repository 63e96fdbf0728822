/** `createRpcClient`: the root proxy over a transport (spec §2.2, §3.1). */
import type { RpcAccessible, RpcClientConfig, RpcClientProxy } from '../types.ts';
import { ClientCore } from './core.ts';
import { assertClientId } from './client-id.ts';
import { WebSocketRpcTransport } from './websocket-transport.ts';

/** The client type for `T` (a DO class or instance type). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- matches any DO constructor
export type RpcClient<T> = (T extends abstract new (...a: any[]) => infer I ? RpcAccessible<I> : T) & RpcClientProxy;

/**
 * A client whose property reads and calls become operation chains, sent in batches when awaited.
 * @example using client = createRpcClient<typeof Counter>({ transport: createWebSocketTransport('COUNTER', 'a') });
 */
export function createRpcClient<T>(config: RpcClientConfig): RpcClient<T> {
  const { transport } = config;
  if (!transport || typeof transport.execute !== 'function') throw new TypeError('createRpcClient: config.transport must be an RpcTransport (createWebSocketTransport or createHttpTransport)');
  if (config.clientId !== undefined) assertClientId(config.clientId);
  const transportId = transport instanceof WebSocketRpcTransport ? transport.clientId : undefined;
  if (config.onDownstream && !config.clientId && !transportId) throw new TypeError('clientId is required when using onDownstream handler');
  if (transport instanceof WebSocketRpcTransport) transport.configureClient({ clientId: config.clientId, onClose: config.onClose });
  if (config.onDownstream) transport.setDownstreamHandler?.(config.onDownstream);
  if (config.onDownstream || config.onClose) transport.setKeepAlive(true);
  return new ClientCore(transport).rootProxy() as RpcClient<T>;
}
