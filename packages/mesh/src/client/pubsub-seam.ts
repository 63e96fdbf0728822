/**
 * The seam between LumenizeClient and its pub/sub client: the client holds subscriptions only
 * once `@lumenize/mesh/client/pubsub` is imported (it supplies the factory), so an application
 * that never subscribes does not ship the subscriber code.
 */
import type { AnyContinuation } from '../ocan/continuation.ts';
import type { OperationChain } from '../ocan/types.ts';
import type { CallContext, NodeIdentity } from '../protocol.ts';
import type { Subscription } from '../pubsub/client-subscriptions.ts';

/** What the subscriptions need from their client. */
export interface SubscriberHost {
  callRaw(binding: string, instance: string, remote: AnyContinuation): Promise<unknown>;
  runHandler(handler: OperationChain, value: unknown, ctx: CallContext): Promise<void>;
  self: NodeIdentity;
  /** The client instance (handler targets are checked against it). */
  target: object;
}

/** The subscriptions of one client, as the client drives them. */
export interface ClientSubscriptionsApi {
  /** The framework-owned method name of deliveries (for encoding their answers). */
  readonly deliveryMethod: string;
  subscribe(binding: string, instance: string, topic: string, handler: AnyContinuation, options?: unknown): Subscription;
  isDelivery(chain: unknown): boolean;
  deliver(chain: unknown, ctx: CallContext): Promise<void>;
  resubscribeAll(): void;
  closeAll(): void;
}

let factory: ((host: SubscriberHost) => ClientSubscriptionsApi) | undefined;

/** Called by `@lumenize/mesh/client/pubsub` when it loads. */
export function usePubSubClient(make: (host: SubscriberHost) => ClientSubscriptionsApi): void {
  factory = make;
}

/** A client's subscriptions; throws, saying what to import, when the pub/sub client is not loaded. */
export function newClientSubscriptions(host: SubscriberHost): ClientSubscriptionsApi {
  if (!factory) {
    throw new Error("LumenizeClient.subscribe needs the pub/sub client: add import '@lumenize/mesh/client/pubsub' once in your app (browser bundles leave it out unless asked)");
  }
  return factory(host);
}
