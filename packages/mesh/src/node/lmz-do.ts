/**
 * `this.lmz` of a LumenizeDO: identity (persisted, write-once), calls and the current call context.
 */
import type { AnyContinuation } from '../ocan/continuation.ts';
import type { OperationChain } from '../ocan/types.ts';
import { requireCallContext } from '../context-store.ts';
import type { LmzApi } from '../lmz-api.ts';
import type { CallContext, CallOptions, NodeIdentity } from '../protocol.ts';
import type { DOIdentity } from './do-identity.ts';
import { CallBatcher } from './call-batcher.ts';
import { call, callRaw, type CallerHost } from './outbound.ts';
import { publish, subscribe, type PubSubHost } from '../pubsub/do-pubsub.ts';
import type { SubscribeOptions, Subscription } from '../pubsub/client-subscriptions.ts';

/** The fix-it message for nodes that do not know their own binding. */
export function unknownBindingError(kind: string): Error {
  return new Error(
    `Cannot make mesh calls: this node does not know its own binding name. A ${kind} learns it from the first mesh call it receives` +
      (kind === 'LumenizeDO' ? ' or from routing headers (routeDORequest);' : ';') +
      ' or set it with this.lmz.init({ bindingName })',
  );
}

/** `this.lmz` for LumenizeDO. */
export class DOLmz implements LmzApi {
  readonly type = 'LumenizeDO' as const;
  #identity: DOIdentity;
  #host: CallerHost;

  constructor(identity: DOIdentity, host: Omit<CallerHost, 'selfIdentity' | 'callerMetadata' | 'nodeType' | 'batcher'>) {
    this.#identity = identity;
    this.#host = {
      ...host,
      batcher: new CallBatcher(host.env),
      nodeType: 'LumenizeDO',
      selfIdentity: () => this.selfIdentity(),
      callerMetadata: () => ({ type: 'LumenizeDO', bindingName: identity.bindingName, instanceNameOrId: identity.instanceNameOrId }),
    };
  }

  get bindingName(): string | undefined {
    return this.#identity.bindingName;
  }
  set bindingName(value: string | undefined) {
    this.#identity.bindingName = value;
  }
  get instanceName(): string | undefined {
    return this.#identity.instanceName;
  }
  set instanceName(value: string | undefined) {
    this.#identity.instanceName = value;
  }
  get id(): string {
    return this.#identity.id;
  }
  set id(_value: string | undefined) {
    throw new Error("Cannot set DO id - it's read-only");
  }
  get instanceNameOrId(): string {
    return this.#identity.instanceNameOrId;
  }
  set instanceNameOrId(value: string | undefined) {
    this.#identity.instanceNameOrId = value;
  }

  get callContext(): CallContext {
    return requireCallContext();
  }

  init(opts: { bindingName?: string; instanceNameOrId?: string } = {}): void {
    if (opts.bindingName !== undefined) this.bindingName = opts.bindingName;
    if (opts.instanceNameOrId !== undefined) this.instanceNameOrId = opts.instanceNameOrId;
  }

  /** This DO in a call chain: its name when known, else its id. Throws when the binding is unknown. */
  selfIdentity(): NodeIdentity {
    const bindingName = this.#identity.bindingName;
    if (bindingName === undefined) throw unknownBindingError('LumenizeDO');
    return { type: 'LumenizeDO', bindingName, instanceName: this.#identity.instanceNameOrId };
  }

  call(binding: string, instance: string | undefined, remote: AnyContinuation, handler?: AnyContinuation, options?: CallOptions): void {
    call(this.#host, binding, instance, remote, handler, options);
  }

  callRaw(binding: string, instance: string | undefined, remoteOrChain: AnyContinuation | OperationChain, options?: CallOptions): Promise<unknown> {
    return callRaw(this.#host, binding, instance, remoteOrChain, options);
  }

  subscribe(binding: string, instance: string, topic: string, handler: AnyContinuation, options?: SubscribeOptions): Subscription {
    return subscribe(this.#host.target as PubSubHost, binding, instance, topic, handler, options);
  }

  publish(topic: string, value: unknown): void {
    publish(this.#host.target as PubSubHost, topic, value);
  }
}
