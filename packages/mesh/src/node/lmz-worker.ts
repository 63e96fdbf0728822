/**
 * `this.lmz` of a LumenizeWorker: binding name per request (nothing persists), calls kept alive with
 * `waitUntil`, and the current call context.
 */
import type { AnyContinuation } from '../ocan/continuation.ts';
import type { OperationChain } from '../ocan/types.ts';
import { requireCallContext } from '../context-store.ts';
import { echoed } from './do-identity.ts';
import type { LmzApi } from '../lmz-api.ts';
import type { CallContext, CallOptions, NodeIdentity } from '../protocol.ts';
import { CallBatcher } from './call-batcher.ts';
import { call, callRaw, type CallerHost } from './outbound.ts';
import { unknownBindingError } from './lmz-do.ts';

/** `this.lmz` for LumenizeWorker. */
export class WorkerLmz implements LmzApi {
  readonly type = 'LumenizeWorker' as const;
  #bindingName: string | undefined;
  #host: CallerHost;

  constructor(host: Omit<CallerHost, 'selfIdentity' | 'callerMetadata' | 'nodeType' | 'batcher'>) {
    this.#host = {
      ...host,
      batcher: new CallBatcher(host.env),
      nodeType: 'LumenizeWorker',
      selfIdentity: () => this.selfIdentity(),
      callerMetadata: () => ({ type: 'LumenizeWorker', bindingName: this.#bindingName }),
    };
  }

  get bindingName(): string | undefined {
    return this.#bindingName;
  }
  set bindingName(value: string | undefined) {
    if (value === undefined) return;
    if (typeof value !== 'string' || value === '') throw new TypeError(`Worker binding name must be a non-empty string, got ${JSON.stringify(value) ?? typeof value}`);
    if (this.#bindingName !== undefined && this.#bindingName !== value) {
      throw new Error(`Worker binding name mismatch: stored '${this.#bindingName}' but received '${echoed(value)}'`);
    }
    this.#bindingName = value;
  }
  // Workers have no instance: these stay undefined and assignments are ignored.
  get instanceName(): undefined {
    return undefined;
  }
  set instanceName(_value: string | undefined) {}
  get id(): undefined {
    return undefined;
  }
  set id(_value: string | undefined) {}
  get instanceNameOrId(): undefined {
    return undefined;
  }
  set instanceNameOrId(_value: string | undefined) {}

  get callContext(): CallContext {
    return requireCallContext();
  }

  init(opts: { bindingName?: string } = {}): void {
    if (opts.bindingName !== undefined) this.bindingName = opts.bindingName;
  }

  /** Workers hold no state to keep subscriptions in: subscribe from a LumenizeDO or a client. */
  subscribe(): never {
    throw new Error('LumenizeWorker cannot subscribe: subscribe from a LumenizeDO or a LumenizeClient');
  }

  /** Workers have no subscriber table: publish from a LumenizeDO. */
  publish(): never {
    throw new Error('LumenizeWorker cannot publish: publish from a LumenizeDO');
  }

  /** This Worker in a call chain (no instance name). Throws when the binding is unknown. */
  selfIdentity(): NodeIdentity {
    if (this.#bindingName === undefined) throw unknownBindingError('LumenizeWorker');
    return { type: 'LumenizeWorker', bindingName: this.#bindingName };
  }

  call(binding: string, instance: string | undefined, remote: AnyContinuation, handler?: AnyContinuation, options?: CallOptions): void {
    call(this.#host, binding, instance, remote, handler, options);
  }

  callRaw(binding: string, instance: string | undefined, remoteOrChain: AnyContinuation | OperationChain, options?: CallOptions): Promise<unknown> {
    return callRaw(this.#host, binding, instance, remoteOrChain, options);
  }
}
