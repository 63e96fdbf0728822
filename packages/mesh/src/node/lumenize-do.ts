/**
 * `LumenizeDO`: the stateful mesh node (spec §3.2). Identity learned from envelopes and routing
 * headers, `this.lmz`, continuations, NADIS services, `onStart` inside `blockConcurrencyWhile`.
 */
import { DurableObject } from 'cloudflare:workers';
import { debug } from '@lumenize/debug';
import { parse, postprocess, type LmzIntermediate } from '@lumenize/structured-clone';
import { createBatch } from '../batch.ts';
import { receiveCallContext, validateWireCallContext } from '../call-context.ts';
import { runWithCallContext } from '../context-store.ts';
import { toError } from '../envelope.ts';
import { newContinuation, type AnyContinuation, type Continuation } from '../ocan/continuation.ts';
import { executeOperationChain, replaceNestedOperationMarkers } from '../ocan/execute.ts';
import type { OperationChain, WireOperationChain } from '../ocan/types.ts';
import { decodeOperationChain } from '../ocan/chain-codec.ts';
import { getServices, type LumenizeServices } from '../nadis/registry.ts';
import '../nadis/sql.ts';
import '../nadis/alarms.ts';
import type { CallEnvelope, CallResult, WireCallContext } from '../protocol.ts';
import type { LmzApi } from '../lmz-api.ts';
import { DOIdentity } from './do-identity.ts';
import { executeInbound, executeInboundBatch, type CalleeHost } from './inbound.ts';
import { claimParked, type ParkedResult } from './batch-answers.ts';
import { DOLmz } from './lmz-do.ts';
import { EXCLUSIVE_CAP_MS, LOCAL_EXECUTION } from './outbound.ts';
import { refuseSubscriptions } from '../pubsub/do-pubsub.ts';
import { installPubSubMembers } from '../pubsub/install-do.ts';

const BINDING_HEADER = 'X-Lumenize-DO-Binding-Name';
const INSTANCE_HEADER = 'X-Lumenize-DO-Instance-Name-Or-Id';

const logs = {
  onStart: debug('lmz.mesh.LumenizeDO.onStart'),
  fetch: debug('lmz.mesh.LumenizeDO.fetch'),
  send: debug('lmz.mesh.LumenizeDO.call'),
  handler: debug('lmz.mesh.LumenizeDO.resultHandler'),
  receive: debug('lmz.mesh.LumenizeDO.__executeOperation'),
  receiveResult: debug('lmz.mesh.LumenizeDO.__receiveResult'),
};

/** What `__receiveResult` finds under `__lmz_{workType}_pending:{workId}`: a chain, or a record holding one. */
export type PendingWork = WireOperationChain | { chain: WireOperationChain; callContext?: WireCallContext };

/**
 * Base class for mesh Durable Objects. Do not initialize in the constructor (call `super` first if
 * you override it); put initialization in `onStart()`.
 * @example export class Room extends LumenizeDO<Env> { @mesh join(name: string) { return `hi ${name}`; } }
 */
export abstract class LumenizeDO<Env = Cloudflare.Env> extends DurableObject<Env> {
  /** Identity, calls and the current call context. */
  readonly lmz: LmzApi;
  /**
   * Longest an `exclusive: true` call holds `blockConcurrencyWhile` across its round trip and handler;
   * past it the handler receives a timeout error and a late result is logged and dropped.
   */
  static exclusiveCapMs = EXCLUSIVE_CAP_MS;
  /** Optional init hook; when defined it runs inside `blockConcurrencyWhile` on every construction. */
  onStart?(): void | Promise<void>;
  #identity: DOIdentity;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    debug(this);
    this.#identity = new DOIdentity(ctx);
    this.lmz = new DOLmz(this.#identity, {
      env: env as object,
      target: this,
      transactionSync: (fn) => ctx.storage.transactionSync(fn),
      blockConcurrencyWhile: (fn) => ctx.blockConcurrencyWhile(fn),
      exclusiveCapMs: () => (this.constructor as typeof LumenizeDO).exclusiveCapMs,
      log: { send: logs.send, handler: logs.handler },
    });
    if (typeof this.onStart === 'function') {
      ctx
        .blockConcurrencyWhile(async () => {
          // One microtask first: subclass field initializers run after this constructor returns.
          await Promise.resolve();
          try {
            await this.onStart!();
          } catch (error) {
            logs.onStart.error('onStart failed', { error });
            throw error;
          }
        })
        // The platform fails the pending request and resets the object; nothing else to do here.
        .catch(() => {});
    }
  }

  /** Class-wide inbound hook (WHO may call); throw to refuse. Call `super.onBeforeCall()` when overriding. */
  onBeforeCall(): void | Promise<void> {}

  /**
   * Pub/sub admission, after `onBeforeCall`: default refuses (secure by default). Override and
   * return to allow `topic` (check `this.lmz.callContext` as needed); throw to refuse.
   */
  onBeforeSubscribe(topic: string): void {
    refuseSubscriptions(this, topic);
  }

  /** NADIS services: `this.svc.sql`, `this.svc.alarms`, and registered plugins (lazy, cached). */
  get svc(): LumenizeServices {
    return getServices(this);
  }

  /**
   * A continuation against this class (or `T`).
   * @example this.lmz.call('ROOM', 'r1', this.ctn<Room>().join('ann'), this.ctn().joined(this.ctn().$result));
   */
  ctn<T = this>(): Continuation<T> {
    return newContinuation<T>();
  }

  /**
   * An atomic batch for a LumenizeDO callee: all entries run in one transaction, or none.
   * @example this.lmz.call('BANK', 'b', this.ctnBatch([bank.debit('a', 5), bank.credit('b', 5)]));
   */
  ctnBatch(ops: AnyContinuation[]): Continuation<unknown[]> {
    return createBatch(ops);
  }

  /**
   * Learns identity from the routing headers, then answers 501. Overrides call `super.fetch(request)`
   * first and return its response when it is a 500 (identity mismatch).
   */
  override async fetch(request: Request): Promise<Response> {
    const binding = request.headers.get(BINDING_HEADER);
    const instance = request.headers.get(INSTANCE_HEADER);
    try {
      if (binding) this.#identity.bindingName = binding;
      if (instance) this.#identity.instanceNameOrId = instance;
    } catch (error) {
      logs.fetch.error('identity mismatch in routing headers', { error });
      return new Response(toError(error).message, { status: 500 });
    }
    return new Response('Not implemented: override fetch() in your LumenizeDO subclass', { status: 501 });
  }

  /** Runs due alarm schedules. Overrides MUST call `super.alarm(info)`. */
  override async alarm(info?: AlarmInvocationInfo): Promise<void> {
    await this.svc.alarms.alarm(info);
  }

  /** Mesh entry point over Workers RPC (framework-only). */
  __executeOperation(envelope: CallEnvelope): Promise<CallResult> {
    return executeInbound(this.#callee(), envelope);
  }

  /** Several mesh calls in one Workers RPC, started in order, each answered on its own (framework-only). */
  __executeBatch(envelopes: CallEnvelope[]): Promise<Array<CallResult | ParkedResult>> {
    return executeInboundBatch(this.#callee(), envelopes);
  }

  /** The answer of a batch entry that was still running when its batch replied (framework-only). */
  __awaitParked(token: string): Promise<CallResult> {
    return claimParked(token) as Promise<CallResult>;
  }

  /** Built once: inbound calls are hot, and the host only holds functions of this instance. */
  #calleeHost: CalleeHost | undefined;

  #callee(): CalleeHost {
    return (this.#calleeHost ??= {
      nodeType: 'LumenizeDO',
      target: this,
      learnIdentity: (callee) => {
        this.#identity.bindingName = callee.bindingName;
        this.#identity.instanceNameOrId = callee.instanceNameOrId;
      },
      transactionSync: (fn) => this.ctx.storage.transactionSync(fn),
      log: { receive: logs.receive },
    });
  }

  /**
   * Plugin hook: claims the continuation stored in KV under `__lmz_{workType}_pending:{workId}` and
   * runs it locally with the result (`serialized`: structured-clone text or intermediate) in place
   * of `$result`, at most once per `(workType, workId)`; unknown or duplicate deliveries are logged.
   */
  async __receiveResult(workType: string, workId: string, serialized: unknown): Promise<void> {
    if (typeof workType !== 'string' || workType === '' || typeof workId !== 'string' || workId === '') {
      throw new TypeError('__receiveResult(workType, workId, serialized): workType and workId must be non-empty strings');
    }
    const kv = this.ctx.storage.kv;
    const key = `__lmz_${workType}_pending:${workId}`;
    const pending = kv.get<PendingWork>(key);
    if (pending === undefined) {
      logs.receiveResult.warn('no pending work for this delivery (duplicate, late or unknown); ignored', { workType, workId });
      return;
    }
    kv.delete(key);
    try {
      const value = typeof serialized === 'string' ? parse(serialized) : postprocess(serialized as LmzIntermediate);
      const chain = decodeOperationChain(Array.isArray(pending) ? pending : pending.chain);
      const wire = Array.isArray(pending) ? undefined : pending.callContext;
      if (wire !== undefined) validateWireCallContext(wire);
      const self = this.#identity;
      const context = receiveCallContext(
        wire ?? { callChain: [{ type: 'LumenizeDO', bindingName: self.bindingName ?? '', instanceName: self.instanceNameOrId }], state: {} },
      );
      await runWithCallContext(context, () => executeOperationChain(replaceNestedOperationMarkers(chain, value), this, LOCAL_EXECUTION));
    } catch (error) {
      logs.receiveResult.error('pending work failed', { workType, workId, error });
    }
  }
}

// Framework pub/sub members (__lmzSubscribe, __lmzUnsubscribe, __lmzDeliver, handlers): src/pubsub/.
installPubSubMembers(LumenizeDO.prototype);
