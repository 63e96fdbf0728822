/**
 * Cap'n Web's side: a Durable Object that serves an RpcTarget over a WebSocket with Cap'n Web's
 * Workers server helper (`newWorkersRpcResponse`), with the same method bodies as MeshCounter.
 */
import { DurableObject } from 'cloudflare:workers';
import { RpcTarget, newWorkersRpcResponse } from 'capnweb';
import type { CounterApi } from '../api.ts';
import type { Env } from './env.mts';

class CapnApi extends RpcTarget implements CounterApi {
  #kv: SyncKvStorage;

  constructor(kv: SyncKvStorage) {
    super();
    this.#kv = kv;
  }

  increment(): number {
    const next = (this.#kv.get<number>('count') ?? 0) + 1;
    this.#kv.put('count', next);
    return next;
  }

  echo(value: unknown): unknown {
    return value;
  }

  add(a: number, b: number): number {
    return a + b;
  }
}

/** One Cap'n Web session per WebSocket, terminated in this DO. */
export class CapnCounter extends DurableObject<Env> {
  override fetch(request: Request): Promise<Response> {
    return newWorkersRpcResponse(request, new CapnApi(this.ctx.storage.kv));
  }
}
