/**
 * RPC for instrumented DOs whose handlers live on the instance. `lumenizeRpcDO` puts `fetch` and
 * `webSocketMessage/Close/Error` on its prototype and forwards to the class prototype's handlers.
 * Some classes install their handlers per instance instead, and skip any name already `in` the
 * instance: `agents` ≥ 0.32 (`Lifecycle.installHandlers`) does, so under `lumenizeRpcDO` an Agent's
 * socket frames and closes reach nobody. This wrapper keeps the class's prototype chain free of
 * handlers while it constructs, then installs RPC-first handlers on the instance in front of
 * whatever the class installed (or inherits). RPC itself is `@lumenize/rpc`'s, unchanged.
 */
import { handleRpcMessage, handleRpcRequest, type RpcConfig } from '@lumenize/rpc';
import type { DOClass } from './virtual-alarms.ts';

type Fn = (...args: unknown[]) => unknown;

/** The class's own handler for `name` (installed on the instance, else inherited), or undefined. */
function original(self: object, name: string): Fn | undefined {
  const value = (self as Record<string, unknown>)[name];
  return typeof value === 'function' ? (value as Fn) : undefined;
}

function install(self: object, name: string, handler: Fn): void {
  Object.defineProperty(self, name, { value: handler, configurable: true, writable: true, enumerable: false });
}

/** Subclass of `DOClass` answering RPC on `config.prefix` (HTTP and WebSocket), everything else to the class; same `name`. */
export function withRpcHandlers<T extends DOClass>(DOClass: T, config: RpcConfig): T {
  const Wrapped = class extends DOClass {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any DO constructor signature
    constructor(...args: any[]) {
      super(...args);
      const self = this as object;
      const fetch = original(self, 'fetch');
      const message = original(self, 'webSocketMessage');
      const close = original(self, 'webSocketClose');
      const error = original(self, 'webSocketError');
      install(self, 'fetch', async (request: unknown) => {
        const rpc = await handleRpcRequest(request as Request, self, config);
        if (rpc) return rpc;
        return fetch ? fetch.call(self, request) : new Response('Not found', { status: 404 });
      });
      install(self, 'webSocketMessage', async (ws: unknown, data: unknown) => {
        if (await handleRpcMessage(ws as WebSocket, data as string | ArrayBuffer, self, config)) return;
        await message?.call(self, ws, data);
      });
      install(self, 'webSocketClose', async (ws: unknown, code: unknown, reason: unknown, wasClean: unknown) => {
        if (close) return void (await close.call(self, ws, code, reason, wasClean));
        // Complete the close handshake so the socket leaves ctx.getWebSockets() (as lumenizeRpcDO does).
        try {
          (ws as WebSocket).close(code === 1005 || code === 1006 ? 1000 : (code as number), reason as string);
        } catch {
          // already closed
        }
      });
      install(self, 'webSocketError', async (ws: unknown, err: unknown) => {
        await error?.call(self, ws, err);
      });
    }
  };
  Object.defineProperty(Wrapped, 'name', { value: DOClass.name });
  return Wrapped;
}
