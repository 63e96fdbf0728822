/**
 * `lumenizeRpcDO`: a subclass of an unmodified DO class that answers RPC on its prefix and passes
 * everything else (requests, messages, close/error) to the class's own handlers.
 */
import type { RpcConfig } from '../types.ts';
import { handleRpcRequest } from './handle-request.ts';
import { handleRpcMessage } from './handle-message.ts';

type Handler = (...args: unknown[]) => unknown;

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x === 'object') return `an object (${Object.prototype.toString.call(x)})`;
  return typeof x;
}

/**
 * Adds RPC endpoints to `DOClass`; same `name` and static members.
 * @example export const Counter = lumenizeRpcDO(_Counter);
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any DO constructor signature
export function lumenizeRpcDO<T extends new (...args: any[]) => any>(DOClass: T, config?: RpcConfig): T {
  if (typeof DOClass !== 'function' || !DOClass.prototype) {
    throw new TypeError(`lumenizeRpcDO() expects a Durable Object class (constructor function), got ${describe(DOClass)}`);
  }
  const proto = DOClass.prototype as Record<string, Handler | undefined>;
  const Wrapped = class extends DOClass {
    async fetch(request: Request): Promise<Response> {
      const rpc = await handleRpcRequest(request, this, config);
      if (rpc) return rpc;
      const own = proto.fetch;
      if (typeof own === 'function') return (await own.call(this, request)) as Response;
      return new Response('Not found', { status: 404 });
    }
    async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
      if (await handleRpcMessage(ws, message, this, config)) return;
      await proto.webSocketMessage?.call(this, ws, message);
    }
    async webSocketClose(ws: WebSocket, code: number, reason: string, wasClean: boolean): Promise<void> {
      if (typeof proto.webSocketClose === 'function') return void (await proto.webSocketClose.call(this, ws, code, reason, wasClean));
      // Complete the close handshake so the socket leaves ctx.getWebSockets().
      try {
        ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);
      } catch {
        // already closed
      }
    }
    async webSocketError(ws: WebSocket, error: unknown): Promise<void> {
      if (typeof proto.webSocketError === 'function') await proto.webSocketError.call(this, ws, error);
    }
  };
  Object.defineProperty(Wrapped, 'name', { value: DOClass.name });
  return Wrapped;
}
