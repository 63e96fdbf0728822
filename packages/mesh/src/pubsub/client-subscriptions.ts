/**
 * The subscriber side of generic pub/sub on a LumenizeClient (mesh spec §9 item 7): subscriptions
 * live in memory with their handler continuations; the publisher only records
 * `(topic, subscriptionId, subscriber address)`. Subscriptions are re-established with the same ids
 * after a reconnect that reports `subscriptionsLost`.
 */
import { debug } from '@lumenize/debug/lite'; // costs a flag check unless @lumenize/debug is loaded
import { assertHandlerTarget } from '../handler-target.ts';
import { getOperationChain, isContinuation, newContinuation, type AnyContinuation } from '../ocan/continuation.ts';
import type { OperationChain } from '../ocan/types.ts';
import { receiveCallContext } from '../call-context.ts';
import type { CallContext } from '../protocol.ts';
import type { ClientSubscriptionsApi, SubscriberHost } from '../client/pubsub-seam.ts';
import { assertTopic, DELIVERY_METHOD, readDelivery, SUBSCRIBE_METHOD, UNSUBSCRIBE_METHOD, UnknownSubscriptionError } from './protocol.ts';
import { closedBeforeAdmitted, readiness, type Readiness } from './readiness.ts';

export { DELIVERY_METHOD };

/** Status of a subscription. */
export type SubscriptionStatus = 'pending' | 'active' | 'failed' | 'closed';

/** A handle on one subscription: `using sub = client.subscribe(...)` unsubscribes at scope exit. */
export interface Subscription {
  readonly id: string;
  readonly topic: string;
  readonly status: SubscriptionStatus;
  /**
   * Settles once: resolves when the publisher has admitted the subscription (status `active`, so a
   * publish from then on reaches it), rejects with the refusal when it is refused and with an
   * Error when it is closed first. `await sub.ready` before acting on what you expect to hear.
   */
  readonly ready: Promise<void>;
  /** Idempotent; sends an unsubscribe to the publisher. */
  unsubscribe(): void;
  [Symbol.dispose](): void;
}

/** Reserved for future options; none are defined yet. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type SubscribeOptions = {};

interface Entry {
  id: string;
  topic: string;
  binding: string;
  instance: string;
  handler: OperationChain;
  status: SubscriptionStatus;
  /** Settles `ready` (later calls do nothing: a promise settles once). */
  readiness: Readiness;
}

interface Publisher {
  [SUBSCRIBE_METHOD](topic: string, subscriptionId: string): void;
  [UNSUBSCRIBE_METHOD](topic: string, subscriptionId: string): void;
}

/** The subscriptions of one client. */
export class ClientSubscriptions implements ClientSubscriptionsApi {
  readonly deliveryMethod = DELIVERY_METHOD;
  #host: SubscriberHost;
  #entries = new Map<string, Entry>();
  #log = debug('lmz.mesh.LumenizeClient.subscribe');

  constructor(host: SubscriberHost) {
    this.#host = host;
  }

  /** Creates a subscription (status `pending` until the publisher admits it). */
  subscribe(binding: string, instance: string, topic: string, handler: AnyContinuation, options?: unknown): Subscription {
    if (typeof binding !== 'string' || binding === '') throw new TypeError('Invalid binding: expected the publisher DO binding name');
    if (typeof instance !== 'string' || instance === '') throw new TypeError('Invalid instance: subscriptions need a publisher DO instance');
    assertTopic(topic);
    if (options !== undefined && (typeof options !== 'object' || options === null)) throw new TypeError('Invalid options: expected an object');
    if (!isContinuation(handler)) throw new TypeError('Invalid handlerContinuation: must be created with this.ctn()');
    const chain = getOperationChain(handler)!;
    assertHandlerTarget(chain, this.#host.target, 'Invalid handlerContinuation: handler');
    const entry: Entry = { id: crypto.randomUUID(), topic, binding, instance, handler: chain, status: 'pending', readiness: readiness() };
    this.#entries.set(entry.id, entry);
    this.#request(entry);
    const close = () => this.#close(entry);
    return {
      id: entry.id,
      topic,
      get status() {
        return entry.status;
      },
      ready: entry.readiness.ready,
      unsubscribe: close,
      [Symbol.dispose]: close,
    };
  }

  /** True for a framework delivery chain. */
  isDelivery(chain: unknown): boolean {
    return readDelivery(chain) !== undefined;
  }

  /**
   * Runs a delivery: only the publisher recorded for that subscription may deliver; the handler
   * runs locally with the value in place of `$result`.
   */
  async deliver(chain: unknown, ctx: CallContext): Promise<void> {
    const d = readDelivery(chain)!;
    const entry = this.#entries.get(d.subscriptionId);
    const caller = ctx.caller;
    if (!entry || entry.status === 'closed' || entry.status === 'failed' || entry.topic !== d.topic) throw new UnknownSubscriptionError(d.subscriptionId);
    if (caller.type !== 'LumenizeDO' || caller.bindingName !== entry.binding || caller.instanceName !== entry.instance) {
      throw new Error(`Delivery refused: subscription '${d.subscriptionId}' belongs to another publisher`);
    }
    // A delivery can outrun the subscribe acknowledgement; the publisher admitted us, so we are active.
    if (entry.status === 'pending') this.#activate(entry);
    await this.#host.runHandler(entry.handler, d.value, ctx);
  }

  /** Re-sends every live subscription with its id (the publisher upserts). */
  resubscribeAll(): void {
    for (const entry of this.#entries.values()) if (entry.status === 'active' || entry.status === 'pending') this.#request(entry);
  }

  /** Unsubscribes everything, best effort. */
  closeAll(): void {
    for (const entry of [...this.#entries.values()]) this.#close(entry);
  }

  #request(entry: Entry): void {
    const remote = newContinuation<Publisher>()[SUBSCRIBE_METHOD](entry.topic, entry.id);
    this.#host.callRaw(entry.binding, entry.instance, remote).then(
      () => {
        if (entry.status === 'pending') this.#activate(entry);
      },
      (error: unknown) => {
        if (entry.status === 'closed') return;
        const failed = entry.status !== 'failed';
        entry.status = 'failed';
        this.#entries.delete(entry.id);
        this.#log.warn('subscription refused', { topic: entry.topic, binding: entry.binding, instance: entry.instance, error });
        if (failed) {
          const err = error instanceof Error ? error : new Error(String(error));
          entry.readiness.refuse(err);
          void this.#host.runHandler(entry.handler, err, receiveCallContext({ callChain: [this.#host.self], state: {} }));
        }
      },
    );
  }

  #activate(entry: Entry): void {
    entry.status = 'active';
    entry.readiness.admit();
  }

  #close(entry: Entry): void {
    if (entry.status === 'closed') return;
    const wasLive = entry.status !== 'failed';
    entry.status = 'closed';
    entry.readiness.refuse(closedBeforeAdmitted(entry.topic));
    this.#entries.delete(entry.id);
    if (!wasLive) return;
    const remote = newContinuation<Publisher>()[UNSUBSCRIBE_METHOD](entry.topic, entry.id);
    this.#host.callRaw(entry.binding, entry.instance, remote).catch((error: unknown) => {
      this.#log.debug('unsubscribe not confirmed', { topic: entry.topic, error });
    });
  }
}
