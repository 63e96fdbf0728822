/**
 * Generic pub/sub on LumenizeDO (mesh spec §9 item 7), both roles:
 *
 * - Publisher: `__lmzSubscribe(topic, id)` is an ordinary inbound call (so `onBeforeCall` runs),
 *   then `onBeforeSubscribe(topic)` (default: refuse), then the subscriber's address is upserted
 *   into `__lmz_subscribers`. `publish(topic, value)` sends every subscriber a new-chain delivery;
 *   a delivery that fails with ClientDisconnectedError (or an unknown subscription) removes the row.
 * - Subscriber (DO): the handler continuation is kept in `__lmz_subscriptions`; deliveries arrive
 *   over Workers RPC (`__lmzDeliver`, not a mesh entry point, so clients cannot reach it) and are
 *   accepted only from the publisher recorded for that subscription.
 *
 * LumenizeDO delegates to these functions; they hold no state of their own (everything is in the
 * DO's SQLite storage), so they survive eviction.
 */
import { debug } from '@lumenize/debug';
import { parse, preprocess, stringify, TRANSFORM_SKIP, type LmzIntermediate } from '@lumenize/structured-clone';
import { receiveCallContext } from '../call-context.ts';
import { ClientDisconnectedError } from '../errors.ts';
import { deserializeValue } from '../envelope.ts';
import { assertHandlerTarget } from '../handler-target.ts';
import { getOperationChain, isContinuation, newContinuation, type AnyContinuation } from '../ocan/continuation.ts';
import { executeOperationChain, replaceNestedOperationMarkers } from '../ocan/execute.ts';
import { decodeOperationChain, encodeOperationChain } from '../ocan/chain-codec.ts';
import type { OperationChain } from '../ocan/types.ts';
import type { CallContext, CallOptions, NodeIdentity } from '../protocol.ts';
import { runWithCallContext } from '../context-store.ts';
import { checkMeshBinding } from '../stub.ts';
import { resolveFanoutOptions } from '../fanout/limits.ts';
import { checkFanoutSize, classFanoutOptions } from '../fanout/service.ts';
import { deliverPublish, orderPublish } from '../fanout/publish.ts';
import type { Subscription, SubscriptionStatus } from './client-subscriptions.ts';
import { closedBeforeAdmitted, readiness, type Readiness } from './readiness.ts';
import {
  assertTopic,
  MAX_SUBSCRIBERS_PER_TOPIC,
  MAX_SUBSCRIPTIONS_PER_SUBSCRIBER,
  SUBSCRIBE_METHOD,
  SubscriptionLimitError,
  UNSUBSCRIBE_METHOD,
  UnknownSubscriptionError,
} from './protocol.ts';

/** What the pub/sub functions need from a LumenizeDO (all public or framework members). */
export interface PubSubHost {
  readonly ctx: DurableObjectState;
  readonly env: object;
  readonly lmz: {
    readonly callContext: CallContext;
    call(binding: string, instance: string | undefined, remote: AnyContinuation, handler?: AnyContinuation, options?: CallOptions): void;
    selfIdentity(): NodeIdentity;
  };
  onBeforeSubscribe(topic: string): void;
}

const log = debug('lmz.mesh.LumenizeDO.pubsub');
const LOCAL = { requireMeshDecorator: false } as const;

/** Local handler targets on the DO (framework-owned; never inbound entry points). */
export const SUBSCRIBED_HANDLER = '__lmzSubscribed';

function sql(host: PubSubHost) {
  return host.ctx.storage.sql;
}

function ensureSubscribers(host: PubSubHost): void {
  sql(host).exec(
    `CREATE TABLE IF NOT EXISTS __lmz_subscribers (topic TEXT NOT NULL, subscription_id TEXT NOT NULL, binding TEXT NOT NULL, instance TEXT NOT NULL, kind TEXT NOT NULL, PRIMARY KEY (binding, instance, subscription_id))`,
  );
  sql(host).exec('CREATE INDEX IF NOT EXISTS __lmz_subscribers_topic ON __lmz_subscribers (topic)');
}

function ensureSubscriptions(host: PubSubHost): void {
  sql(host).exec(
    `CREATE TABLE IF NOT EXISTS __lmz_subscriptions (id TEXT PRIMARY KEY, binding TEXT NOT NULL, instance TEXT NOT NULL, topic TEXT NOT NULL, handler TEXT NOT NULL, status TEXT NOT NULL)`,
  );
}

/** The default `onBeforeSubscribe`: subscriptions are opt-in per class. */
export function refuseSubscriptions(host: object, topic: string): never {
  void topic;
  throw new Error(`Subscriptions are not enabled on ${host.constructor.name}`);
}

// --- publisher -------------------------------------------------------------------------------

/**
 * `__lmzSubscribe(topic, id)` body: admission by `onBeforeSubscribe`, then an idempotent upsert of
 * the immediate caller's address (a retried subscribe with the same id is harmless).
 */
export function admitSubscriber(host: PubSubHost, topic: unknown, subscriptionId: unknown): void {
  assertTopic(topic);
  if (typeof subscriptionId !== 'string' || subscriptionId.length === 0 || subscriptionId.length > 128) {
    throw new TypeError('Invalid subscription id');
  }
  host.onBeforeSubscribe(topic);
  const caller = host.lmz.callContext.caller;
  if (caller.type === 'LumenizeWorker' || caller.instanceName === undefined) throw new Error('Workers cannot subscribe');
  ensureSubscribers(host);
  checkLimits(host, topic, subscriptionId, caller.bindingName, caller.instanceName);
  sql(host).exec(
    'INSERT INTO __lmz_subscribers (topic, subscription_id, binding, instance, kind) VALUES (?, ?, ?, ?, ?) ON CONFLICT (binding, instance, subscription_id) DO UPDATE SET topic = excluded.topic',
    topic,
    subscriptionId,
    caller.bindingName,
    caller.instanceName,
    caller.type,
  );
  log.debug('subscriber admitted', { topic, subscriptionId, binding: caller.bindingName, instance: caller.instanceName });
}

/**
 * A static cap of the publisher's class (`static maxSubscribersPerTopic = 500` on a LumenizeDO
 * subclass), or the default when the class sets none or an invalid value.
 */
function limitOf(host: PubSubHost, name: 'maxSubscribersPerTopic' | 'maxSubscriptionsPerSubscriber', fallback: number): number {
  const value = (host.constructor as unknown as Record<string, unknown>)[name];
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : fallback;
}

/** Refuses a new row past either cap (re-subscribing an existing id to the same topic always passes). */
function checkLimits(host: PubSubHost, topic: string, subscriptionId: string, binding: string, instance: string): void {
  const existing = sql(host)
    .exec<{ topic: string }>('SELECT topic FROM __lmz_subscribers WHERE binding = ? AND instance = ? AND subscription_id = ?', binding, instance, subscriptionId)
    .toArray()[0];
  if (existing?.topic === topic) return;
  const perTopic = limitOf(host, 'maxSubscribersPerTopic', MAX_SUBSCRIBERS_PER_TOPIC);
  const onTopic = count(host, 'SELECT COUNT(*) AS n FROM __lmz_subscribers WHERE topic = ?', topic);
  if (onTopic >= perTopic) {
    throw new SubscriptionLimitError(
      `Topic '${topic}' already has ${onTopic} subscribers, the most ${host.constructor.name}.maxSubscribersPerTopic (${perTopic}) allows; nothing was stored. Unsubscribe others or raise the limit`,
      'SUBSCRIBERS_PER_TOPIC',
      perTopic,
    );
  }
  if (existing) return; // moving an existing row to another topic does not add a row for this subscriber
  const perSubscriber = limitOf(host, 'maxSubscriptionsPerSubscriber', MAX_SUBSCRIPTIONS_PER_SUBSCRIBER);
  const held = count(host, 'SELECT COUNT(*) AS n FROM __lmz_subscribers WHERE binding = ? AND instance = ?', binding, instance);
  if (held >= perSubscriber) {
    throw new SubscriptionLimitError(
      `Subscriber '${binding}/${instance}' already holds ${held} subscriptions here, the most ${host.constructor.name}.maxSubscriptionsPerSubscriber (${perSubscriber}) allows; nothing was stored. Unsubscribe first or raise the limit`,
      'SUBSCRIPTIONS_PER_SUBSCRIBER',
      perSubscriber,
    );
  }
}

function count(host: PubSubHost, query: string, ...bindings: string[]): number {
  return Number(sql(host).exec<{ n: number }>(query, ...bindings).one().n);
}

/** `__lmzUnsubscribe(topic, id)` body: removes the caller's row (only its own). */
export function removeSubscriber(host: PubSubHost, topic: unknown, subscriptionId: unknown): void {
  if (typeof topic !== 'string' || typeof subscriptionId !== 'string') throw new TypeError('Invalid unsubscribe request');
  const caller = host.lmz.callContext.caller;
  ensureSubscribers(host);
  sql(host).exec(
    'DELETE FROM __lmz_subscribers WHERE topic = ? AND subscription_id = ? AND binding = ? AND instance = ?',
    topic,
    subscriptionId,
    caller.bindingName,
    caller.instanceName ?? '',
  );
}

interface SubscriberRow {
  subscription_id: string;
  binding: string;
  instance: string;
  kind: string;
  [key: string]: SqlStorageValue;
}

/**
 * `this.lmz.publish(topic, value)`: synchronous, fire-and-forget, all or nothing. Clients get a
 * new-chain mesh call through their gateway; DO subscribers get a Workers RPC delivery; past
 * `maxDirect` subscribers both go through the fan-out tiers (src/fanout/publish.ts, which also
 * keeps publish order). Failed deliveries to gone subscribers remove their rows.
 */
export function publish(host: PubSubHost, topic: string, value: unknown): void {
  assertTopic(topic);
  ensureSubscribers(host);
  const rows = sql(host).exec<SubscriberRow>('SELECT subscription_id, binding, instance, kind FROM __lmz_subscribers WHERE topic = ?', topic).toArray();
  if (rows.length === 0) return;
  const publisher = host.lmz.selfIdentity();
  // Everything that can fail is checked before the first delivery is sent: the value is serialized
  // strictly (what passes here serializes for every subscriber), the options and the fan-out binding
  // are checked. A throw here has sent nothing.
  const serialized = serializePublished(topic, value);
  const reachable: SubscriberRow[] = [];
  for (const row of rows) {
    try {
      checkMeshBinding(host.env, row.binding, row.instance);
      reachable.push(row);
    } catch (error) {
      // A row the current deployment cannot reach (binding renamed or removed): kept, skipped, logged.
      log.warn('subscriber skipped: its binding is not reachable', { topic, binding: row.binding, instance: row.instance, subscriptionId: row.subscription_id, error });
    }
  }
  if (reachable.length === 0) return;
  const fanout = resolveFanoutOptions(classFanoutOptions(host));
  const tiered = reachable.length > fanout.maxDirect;
  if (tiered) checkFanoutSize(host.env, Math.min(reachable.length, fanout.maxRecipients), fanout, `publish('${topic}')`);
  const onFailure = (binding: string, instance: string, id: string, error: Error) => onDeliveryFailure(host, binding, instance, id, error);
  orderPublish(host, topic, tiered, () => deliverPublish(host.env, topic, serialized, publisher, reachable, fanout, onFailure));
}

/**
 * The published value in wire form, refusing what some delivery path could not carry as data:
 * functions (continuations too: a published value never runs as an operation at a subscriber)
 * and symbols. Throws a TypeError naming the topic and the path of the bad part.
 */
function serializePublished(topic: string, value: unknown): LmzIntermediate {
  try {
    return preprocess(value, {
      transform: (v, context) => {
        if (typeof v === 'function' || typeof v === 'symbol') {
          const at = context.path.map((p) => (p.type === 'index' ? `[${String(p.key)}]` : `.${String(p.key)}`)).join('') || ' (the value itself)';
          throw new TypeError(`a ${typeof v} at ${at}`);
        }
        return TRANSFORM_SKIP;
      },
    });
  } catch (e) {
    throw new TypeError(`publish('${topic}') sent nothing: the value cannot be serialized (${(e as Error).message}); publish plain data`);
  }
}

function onDeliveryFailure(host: PubSubHost, binding: string, instance: string, subscriptionId: string, error: unknown): void {
  const gone = error instanceof ClientDisconnectedError || error instanceof UnknownSubscriptionError || (error as Error | null)?.name === 'UnknownSubscriptionError';
  if (gone) {
    ensureSubscribers(host);
    sql(host).exec('DELETE FROM __lmz_subscribers WHERE binding = ? AND instance = ? AND subscription_id = ?', binding, instance, subscriptionId);
    log.info('subscriber removed after failed delivery', { binding, instance, subscriptionId, reason: (error as Error).name });
    return;
  }
  log.warn('delivery failed', { binding, instance, subscriptionId, error });
}

// --- subscriber (DO) -------------------------------------------------------------------------

interface SubscriptionRow {
  id: string;
  binding: string;
  instance: string;
  topic: string;
  handler: string;
  status: string;
  [key: string]: SqlStorageValue;
}

function readSubscription(host: PubSubHost, id: string): SubscriptionRow | undefined {
  ensureSubscriptions(host);
  return sql(host).exec<SubscriptionRow>('SELECT * FROM __lmz_subscriptions WHERE id = ?', id).toArray()[0];
}

function setStatus(host: PubSubHost, id: string, status: SubscriptionStatus): void {
  sql(host).exec('UPDATE __lmz_subscriptions SET status = ? WHERE id = ?', status, id);
}

/** `ready` of the subscriptions this DO instance made and has not heard back on (in memory: an evicted DO's callers are gone too). */
const waiting = new WeakMap<object, Map<string, Readiness>>();

function settle(host: PubSubHost, id: string, outcome: Error | undefined): void {
  const byId = waiting.get(host);
  const r = byId?.get(id);
  if (!r) return;
  byId!.delete(id);
  if (outcome) r.refuse(outcome);
  else r.admit();
}

/** `this.lmz.subscribe(...)` on a DO: stores the handler, asks the publisher, returns the handle. */
export function subscribe(host: PubSubHost, binding: string, instance: string, topic: string, handler: AnyContinuation, options?: unknown): Subscription {
  if (typeof binding !== 'string' || binding === '' || typeof instance !== 'string' || instance === '') {
    throw new TypeError('subscribe(binding, instance, ...) needs the publisher DO binding and instance');
  }
  assertTopic(topic);
  if (options !== undefined && (typeof options !== 'object' || options === null)) throw new TypeError('Invalid options: expected an object');
  if (!isContinuation(handler)) throw new TypeError('Invalid handlerContinuation: must be created with this.ctn()');
  const chain = getOperationChain(handler)!;
  assertHandlerTarget(chain, host, 'Invalid handlerContinuation: handler');
  ensureSubscriptions(host);
  const id = crypto.randomUUID();
  sql(host).exec(
    'INSERT INTO __lmz_subscriptions (id, binding, instance, topic, handler, status) VALUES (?, ?, ?, ?, ?, ?)',
    id,
    binding,
    instance,
    topic,
    stringify(encodeOperationChain(chain)),
    'pending',
  );
  const remote = newContinuation<Record<string, (...a: unknown[]) => void>>()[SUBSCRIBE_METHOD](topic, id);
  const done = newContinuation<Record<string, (...a: unknown[]) => void>>()[SUBSCRIBED_HANDLER](id, newContinuation().$result);
  const r = readiness();
  let byId = waiting.get(host);
  if (!byId) waiting.set(host, (byId = new Map()));
  byId.set(id, r);
  host.lmz.call(binding, instance, remote, done);
  const close = () => unsubscribe(host, id);
  return {
    id,
    topic,
    get status() {
      return (readSubscription(host, id)?.status as SubscriptionStatus | undefined) ?? 'closed';
    },
    ready: r.ready,
    unsubscribe: close,
    [Symbol.dispose]: close,
  };
}

/** Result handler of the subscribe request (`__lmzSubscribed`). A refusal reaches the handler once. */
export async function onSubscribed(host: PubSubHost, id: string, result: unknown): Promise<void> {
  const row = readSubscription(host, id);
  if (!row || row.status !== 'pending') return;
  if (!(result instanceof Error)) {
    setStatus(host, id, 'active');
    settle(host, id, undefined);
    return;
  }
  setStatus(host, id, 'failed');
  settle(host, id, result);
  await runHandler(host, row, result, receiveCallContext({ callChain: [host.lmz.selfIdentity()], state: {} }));
}

function unsubscribe(host: PubSubHost, id: string): void {
  const row = readSubscription(host, id);
  if (!row || row.status === 'closed') return;
  const wasLive = row.status !== 'failed';
  sql(host).exec('DELETE FROM __lmz_subscriptions WHERE id = ?', id);
  settle(host, id, closedBeforeAdmitted(row.topic));
  if (!wasLive) return;
  const remote = newContinuation<Record<string, (...a: unknown[]) => void>>()[UNSUBSCRIBE_METHOD](row.topic, id);
  host.lmz.call(row.binding, row.instance, remote);
}

/**
 * `__lmzDeliver` body on a DO subscriber (reached over Workers RPC only): the publisher must be the
 * one recorded for the subscription; the handler runs locally with the value as `$result`.
 */
export async function deliver(host: PubSubHost, subscriptionId: unknown, topic: unknown, value: unknown, publisher: unknown): Promise<DeliveryOutcome> {
  if (typeof subscriptionId !== 'string' || typeof topic !== 'string') throw new TypeError('Invalid delivery');
  const row = readSubscription(host, subscriptionId);
  // Answered as a value: Workers RPC does not keep custom error classes on throw.
  if (!row || row.topic !== topic || row.status === 'failed') return 'unknown-subscription';
  const p = publisher as Partial<NodeIdentity> | null;
  if (!p || p.type !== 'LumenizeDO' || p.bindingName !== row.binding || p.instanceName !== row.instance) {
    throw new Error(`Delivery refused: subscription '${subscriptionId}' belongs to another publisher`);
  }
  if (row.status === 'pending') {
    setStatus(host, subscriptionId, 'active');
    settle(host, subscriptionId, undefined);
  }
  const ctx = receiveCallContext({ callChain: [p as NodeIdentity], state: {} });
  await runHandler(host, row, deserializeValue(value as LmzIntermediate), ctx);
  return 'delivered';
}

/** What a DO subscriber answers to a delivery. */
export type DeliveryOutcome = 'delivered' | 'unknown-subscription';

async function runHandler(host: PubSubHost, row: SubscriptionRow, value: unknown, ctx: CallContext): Promise<void> {
  const chain = replaceNestedOperationMarkers(decodeOperationChain(parse(row.handler)), value);
  try {
    await runWithCallContext(ctx, () => executeOperationChain(chain, host, LOCAL));
  } catch (error) {
    log.error('subscription handler failed', { subscriptionId: row.id, topic: row.topic, error });
  }
}
