/**
 * Installs the framework pub/sub members on LumenizeDO's prototype (called once by
 * lumenize-do.ts): the two publisher entry points (inbound calls, so `onBeforeCall` runs first),
 * the Workers-RPC-only delivery method for DO subscribers, and the subscribe request's local result handler.
 * The names start with `__lmz` and are not part of the application's API.
 */
import { addEntryPointMarks } from '../ocan/entry-points.ts';
import { admitSubscriber, deliver, onSubscribed, removeSubscriber, SUBSCRIBED_HANDLER, type PubSubHost } from './do-pubsub.ts';
import { DELIVERY_METHOD, SUBSCRIBE_METHOD, UNSUBSCRIBE_METHOD } from './protocol.ts';

/** Adds the pub/sub members to `proto` (LumenizeDO.prototype). */
export function installPubSubMembers(proto: object): void {
  const members: Record<string, (this: PubSubHost, ...args: never[]) => unknown> = {
    [SUBSCRIBE_METHOD](this: PubSubHost, topic: string, subscriptionId: string) {
      admitSubscriber(this, topic, subscriptionId);
    },
    [UNSUBSCRIBE_METHOD](this: PubSubHost, topic: string, subscriptionId: string) {
      removeSubscriber(this, topic, subscriptionId);
    },
    [DELIVERY_METHOD](this: PubSubHost, subscriptionId: string, topic: string, value: unknown, publisher: unknown) {
      return deliver(this, subscriptionId, topic, value, publisher);
    },
    [SUBSCRIBED_HANDLER](this: PubSubHost, subscriptionId: string, result: unknown) {
      return onSubscribed(this, subscriptionId, result);
    },
  };
  for (const [name, fn] of Object.entries(members)) {
    Object.defineProperty(proto, name, { value: fn, writable: false, enumerable: false, configurable: false });
  }
  addEntryPointMarks(members[SUBSCRIBE_METHOD], { mesh: true }, SUBSCRIBE_METHOD);
  addEntryPointMarks(members[UNSUBSCRIBE_METHOD], { mesh: true }, UNSUBSCRIBE_METHOD);
}
