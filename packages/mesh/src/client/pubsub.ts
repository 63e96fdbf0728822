/**
 * `@lumenize/mesh/client/pubsub`: import once to use `client.subscribe(...)` /
 * `this.lmz.subscribe(...)` on a LumenizeClient. Left out of the client entry so that browser
 * bundles that never subscribe carry no subscriber code. Guide: docs/mesh-clients.md#pubsub.
 * @example import '@lumenize/mesh/client/pubsub';
 */
import { ClientSubscriptions } from '../pubsub/client-subscriptions.ts';
import { usePubSubClient } from './pubsub-seam.ts';

usePubSubClient((host) => new ClientSubscriptions(host));

export type { Subscription, SubscriptionStatus, SubscribeOptions } from '../pubsub/client-subscriptions.ts';
export { SubscriptionLimitError, UnknownSubscriptionError } from '../pubsub/protocol.ts';
