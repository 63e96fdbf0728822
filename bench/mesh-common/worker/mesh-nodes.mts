/**
 * Our side of the benchmark: the gateway, a LumenizeDO with the benchmark methods, and a caller DO
 * that runs batches of DO → DO calls (mesh `callRaw` or native Workers RPC to the same method).
 */
import { LumenizeClientGateway, LumenizeDO, mesh } from '@lumenize/mesh';
import { record, type CounterApi, type DoToDoMode, type DoToDoOp } from '../api.ts';
import type { Env } from './env.mts';

/** The stock gateway (no rate limiter binding, default grace period). */
export class BenchGateway extends LumenizeClientGateway<Env> {}

/** The callee: same method bodies as CapnApi (capnweb-counter.mts). */
export class MeshCounter extends LumenizeDO<Env> implements CounterApi {
  @mesh
  increment(): number {
    const next = (this.ctx.storage.kv.get<number>('count') ?? 0) + 1;
    this.ctx.storage.kv.put('count', next);
    return next;
  }

  @mesh
  echo(value: unknown): unknown {
    return value;
  }

  @mesh
  add(a: number, b: number): number {
    return a + b;
  }
}

const ECHO_VALUE = record(1);

/**
 * Runs `n` DO → DO calls of `MeshCounter(target).<op>()`, `concurrency` at a time, and returns how
 * many answered as expected (so nothing can be skipped). Timed from outside workerd by Node.
 */
export class MeshCaller extends LumenizeDO<Env> {
  async run(mode: DoToDoMode, op: DoToDoOp, self: string, target: string, n: number, concurrency: number): Promise<number> {
    // A mesh node normally knows its own address (learned from the calls that reach it); this one
    // is reached by native RPC, so it is told. Without it, every callRaw re-reads the unknown
    // instance name from KV (see bench/mesh-do/README.md, "Where the time goes").
    this.lmz.init({ bindingName: 'MESH_CALLER', instanceNameOrId: self });
    const held = this.env.MESH_COUNTER.getByName(target);
    const one = (): Promise<unknown> => {
      switch (mode) {
        case 'mesh': {
          const remote = op === 'increment' ? this.ctn<CounterApi>().increment() : this.ctn<CounterApi>().echo(ECHO_VALUE);
          return this.lmz.callRaw('MESH_COUNTER', target, remote);
        }
        case 'native': {
          // A stub per call, as mesh acquires one per call (getMeshStub).
          const stub = this.env.MESH_COUNTER.getByName(target);
          return op === 'increment' ? stub.increment() : stub.echo(ECHO_VALUE);
        }
        case 'native-held':
          return op === 'increment' ? held.increment() : held.echo(ECHO_VALUE);
        case 'empty':
          return Promise.resolve(op === 'increment' ? 1 : ECHO_VALUE);
      }
    };
    let ok = 0;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < n) {
        next++;
        const value = await one();
        if (op === 'increment' ? typeof value === 'number' && value > 0 : (value as { id?: unknown })?.id === ECHO_VALUE.id) ok++;
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
    return ok;
  }
}
