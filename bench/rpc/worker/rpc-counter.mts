/**
 * Ours: the same method bodies as Cap'n Web's CapnApi (bench/mesh-common/worker/capnweb-counter.mts),
 * on a plain Durable Object wrapped by `lumenizeRpcDO` (default 'methods' access).
 */
import { DurableObject } from 'cloudflare:workers';
import { handleRpcMessage, lumenizeRpcDO } from '@lumenize/rpc';
import type { CounterApi } from '../../mesh-common/api.ts';

class _RpcCounter extends DurableObject implements CounterApi {
  increment(): number {
    const next = (this.ctx.storage.kv.get<number>('count') ?? 0) + 1;
    this.ctx.storage.kv.put('count', next);
    return next;
  }

  echo(value: unknown): unknown {
    return value;
  }

  add(a: number, b: number): number {
    return a + b;
  }
}

export const RpcCounter = lumenizeRpcDO(_RpcCounter);

/**
 * Diagnostic twin (`?accept=1`): the same RPC handling on a plain, non-hibernating socket
 * (`ws.accept()` + a message listener, as Cap'n Web's server does), to separate the transport's cost
 * from ours. Not the product configuration: hibernation is what lets idle connections cost nothing.
 */
class _AcceptCounter extends _RpcCounter {
  override async fetch(request: Request): Promise<Response> {
    const pair = new WebSocketPair();
    const server = pair[1];
    server.accept();
    const attachment = { clientId: undefined };
    const socket = Object.assign(server, { deserializeAttachment: () => attachment });
    server.addEventListener('message', (event) => {
      void handleRpcMessage(socket, event.data as string, this);
    });
    return new Response(null, { status: 101, webSocket: pair[0], headers: { 'Sec-WebSocket-Protocol': 'lumenize.rpc' } });
  }
}
export const AcceptCounter = _AcceptCounter;
