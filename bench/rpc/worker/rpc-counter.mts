/**
 * Ours: the same method bodies as Cap'n Web's CapnApi (bench/mesh-common/worker/capnweb-counter.mts),
 * on a plain Durable Object wrapped by `lumenizeRpcDO` (default 'methods' access, hibernating sockets).
 */
import { DurableObject } from 'cloudflare:workers';
import { lumenizeRpcDO } from '@lumenize/rpc';
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
 * The same counter with the product option `webSocket: { hibernate: false }`: sockets accepted with
 * `accept()` (messages go straight to a listener, as Cap'n Web's server does), so lower latency, but
 * the DO stays in memory and billed for duration while a socket is open (docs/rpc.md#hibernation).
 */
class _AcceptCounter extends _RpcCounter {}
export const AcceptCounter = lumenizeRpcDO(_AcceptCounter, { webSocket: { hibernate: false } });
