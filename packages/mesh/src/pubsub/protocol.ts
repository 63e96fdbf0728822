/**
 * Names shared by subscribers and publishers of generic pub/sub (mesh spec §9 item 7). The
 * subscribe and unsubscribe requests are ordinary inbound calls on the publisher; delivery is a
 * new-chain call from the publisher to a framework-owned entry point on the subscriber.
 */
import { registerErrorClass } from '@lumenize/structured-clone';

/** Publisher entry point: `__lmzSubscribe(topic, subscriptionId)`. */
export const SUBSCRIBE_METHOD = '__lmzSubscribe';
/** Publisher entry point: `__lmzUnsubscribe(topic, subscriptionId)`. */
export const UNSUBSCRIBE_METHOD = '__lmzUnsubscribe';
/** Subscriber entry point: `__lmzDeliver(subscriptionId, topic, value)`. */
export const DELIVERY_METHOD = '__lmzDeliver';

/** Error a subscriber answers for a subscription it does not hold (the publisher drops the row). */
export class UnknownSubscriptionError extends Error {
  constructor(subscriptionId: string) {
    super(`Unknown subscription '${subscriptionId}'`);
    this.name = 'UnknownSubscriptionError';
  }
}
registerErrorClass(UnknownSubscriptionError);

/** Default of `maxSubscribersPerTopic`: subscriber rows one publisher keeps for one topic. */
export const MAX_SUBSCRIBERS_PER_TOPIC = 10_000;
/** Default of `maxSubscriptionsPerSubscriber`: rows one publisher keeps for one subscriber address. */
export const MAX_SUBSCRIPTIONS_PER_SUBSCRIBER = 100;

/** Which cap a refused subscription hit. */
export type SubscriptionLimitCode = 'SUBSCRIBERS_PER_TOPIC' | 'SUBSCRIPTIONS_PER_SUBSCRIBER';

/**
 * A publisher refused a subscription because a cap is reached; nothing was stored. It reaches the
 * subscriber's handler (status `failed`). `code` says which cap.
 */
export class SubscriptionLimitError extends Error {
  code: SubscriptionLimitCode;
  limit: number;
  constructor(message: string, code: SubscriptionLimitCode, limit: number) {
    super(message);
    this.name = 'SubscriptionLimitError';
    this.code = code;
    this.limit = limit;
  }
}
registerErrorClass(SubscriptionLimitError);

/** Checks a topic: a non-empty string of at most 256 characters. */
export function assertTopic(topic: unknown): asserts topic is string {
  if (typeof topic !== 'string' || topic.length === 0 || topic.length > 256) {
    throw new TypeError('Invalid topic: expected a non-empty string of at most 256 characters');
  }
}

/** Reads a delivery chain `[get __lmzDeliver, apply [id, topic, value]]`; undefined for anything else. */
export function readDelivery(chain: unknown): { subscriptionId: string; topic: string; value: unknown } | undefined {
  if (!Array.isArray(chain) || chain.length !== 2) return undefined;
  const [get, apply] = chain as Array<{ type?: unknown; key?: unknown; args?: unknown }>;
  if (get?.type !== 'get' || get.key !== DELIVERY_METHOD || apply?.type !== 'apply' || !Array.isArray(apply.args) || apply.args.length !== 3) return undefined;
  const [subscriptionId, topic, value] = apply.args as unknown[];
  if (typeof subscriptionId !== 'string' || typeof topic !== 'string') return undefined;
  return { subscriptionId, topic, value };
}
