/**
 * `LumenizeWorker`: the stateless mesh node (spec §3.3, §4.9). Learns its binding from each
 * inbound envelope; outbound calls stay alive after the method returns (`waitUntil`).
 */
import { WorkerEntrypoint } from 'cloudflare:workers';
import { debug } from '@lumenize/debug';
import { createBatch } from '../batch.ts';
import { newContinuation, type AnyContinuation, type Continuation } from '../ocan/continuation.ts';
import type { CallEnvelope, CallResult } from '../protocol.ts';
import type { LmzApi } from '../lmz-api.ts';
import { executeInbound, type CalleeHost } from './inbound.ts';
import { WorkerLmz } from './lmz-worker.ts';

const logs = {
  send: debug('lmz.mesh.LumenizeWorker.call'),
  handler: debug('lmz.mesh.LumenizeWorker.resultHandler'),
  receive: debug('lmz.mesh.LumenizeWorker.__executeOperation'),
};

/**
 * Base class for mesh Worker entrypoints: stateless, the place for slow external I/O.
 * @example export class SpellCheck extends LumenizeWorker<Env> { @mesh async check(text: string) { ... } }
 */
export abstract class LumenizeWorker<Env = Cloudflare.Env> extends WorkerEntrypoint<Env> {
  /** Identity (binding only), calls and the current call context. */
  readonly lmz: LmzApi;
  #lmz: WorkerLmz;

  constructor(ctx: ExecutionContext, env: Env) {
    super(ctx, env);
    debug(this);
    this.#lmz = new WorkerLmz({
      env: env as object,
      target: this,
      waitUntil: (promise) => ctx.waitUntil(promise),
      log: { send: logs.send, handler: logs.handler },
    });
    this.lmz = this.#lmz;
  }

  /** Class-wide inbound hook (WHO may call); throw to refuse. */
  onBeforeCall(): void | Promise<void> {}

  /** A continuation against this class (or `T`). */
  ctn<T = this>(): Continuation<T> {
    return newContinuation<T>();
  }

  /** Builds an atomic batch for a LumenizeDO callee (a batch sent to a Worker is rejected). */
  ctnBatch(ops: AnyContinuation[]): Continuation<unknown[]> {
    return createBatch(ops);
  }

  /** Mesh entry point over Workers RPC (framework-only). */
  __executeOperation(envelope: CallEnvelope): Promise<CallResult> {
    return executeInbound(this.#callee(), envelope);
  }

  /** Built once per entrypoint instance (it only holds functions of this instance). */
  #calleeHost: CalleeHost | undefined;

  #callee(): CalleeHost {
    return (this.#calleeHost ??= {
      nodeType: 'LumenizeWorker',
      target: this,
      learnIdentity: (callee) => {
        this.#lmz.bindingName = callee.bindingName;
      },
      log: { receive: logs.receive },
    });
  }
}
