/** Cap'n Web's side of the comparison suite: the same methods as CounterBase, served by `newWorkersRpcResponse`. */
import { DurableObject } from 'cloudflare:workers';
import { RpcTarget, newWorkersRpcResponse } from 'capnweb';
import { ValidationError } from './nodes.ts';

class CapnGreeter extends RpcTarget {
  #name: string;
  constructor(name: string) {
    super();
    this.#name = name;
  }
  greet(): string {
    return `hello ${this.#name}`;
  }
}

class CapnApi extends RpcTarget {
  #kv: SyncKvStorage;
  constructor(kv: SyncKvStorage) {
    super();
    this.#kv = kv;
  }
  increment(by = 1): number {
    const n = (this.#kv.get<number>('count') ?? 0) + by;
    this.#kv.put('count', n);
    return n;
  }
  add(a: number, b: number): number {
    return a + b;
  }
  echo<T>(value: T): T {
    return value;
  }
  throwValidation(): never {
    throw new ValidationError('bad email', 'email');
  }
  getGreeter(): CapnGreeter {
    this.#kv.put('calls:getGreeter', (this.#kv.get<number>('calls:getGreeter') ?? 0) + 1);
    return new CapnGreeter('rpc');
  }
  calls(name: string): number {
    return this.#kv.get<number>(`calls:${name}`) ?? 0;
  }
}

export class CapnDO extends DurableObject<Cloudflare.Env> {
  override fetch(request: Request): Promise<Response> {
    return newWorkersRpcResponse(request, new CapnApi(this.ctx.storage.kv));
  }
}
