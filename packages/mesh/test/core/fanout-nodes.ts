/**
 * Test nodes for fan-out (mesh spec §9 item 11, acceptance item 98) and tiered pub/sub.
 */
import { evictDurableObject } from 'cloudflare:test';
import { DurableObject } from 'cloudflare:workers';
import { postprocess, type LmzIntermediate } from '@lumenize/structured-clone';
import { LumenizeDO, LumenizeFanoutWorker, mesh } from '../../src/index.ts';
import type { FanoutOptions, FanoutRecipient, FanoutSummary, NodeIdentity, Subscription } from '../../src/index.ts';
import { runWithCallContext } from '../../src/context-store.ts';
import { receiveCallContext } from '../../src/call-context.ts';
import { unsettledPublishes } from '../../src/fanout/publish.ts';

/** Test helper: polls `probe` every 20 ms until it is defined (the test's own timeout bounds it). */
export async function eventually<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A summary as plain data (errors by name and message) for KV and assertions. */
export interface PlainSummary {
  total: number;
  delivered: number;
  failed: Array<{ recipient: FanoutRecipient; name: string; message: string }>;
}

/** Sends fan-outs and keeps each summary its handler receives. */
export class FanoutSenderDO extends LumenizeDO {
  @mesh fanTo(run: string, recipients: FanoutRecipient[], tag: string, options?: FanoutOptions, inMemory = false): void {
    const r = this.ctn<FanoutRecipientDO>();
    this.svc.fanout.send(recipients, inMemory ? r.tally(tag) : r.receive(tag), this.ctn().summarized(run, this.ctn().$result), options);
  }
  /** The error `send` throws, by name, code and message (or undefined when it does not throw). */
  @mesh tryFan(recipients: FanoutRecipient[], options?: FanoutOptions) {
    try {
      this.svc.fanout.send(recipients, this.ctn<FanoutRecipientDO>().receive('never'), undefined, options);
      return undefined;
    } catch (e) {
      const err = e as Error & { code?: string };
      return { name: err.name, code: err.code, message: err.message };
    }
  }
  summarized(run: string, summary: FanoutSummary<FanoutRecipient>): void {
    const plain: PlainSummary = {
      total: summary.total,
      delivered: summary.delivered,
      failed: summary.failed.map((f) => ({ recipient: f.recipient, name: f.error.name, message: f.error.message })),
    };
    this.ctx.storage.kv.put(`summary:${run}`, plain);
  }
  @mesh summary(run: string): PlainSummary | undefined {
    return this.ctx.storage.kv.get<PlainSummary>(`summary:${run}`);
  }
}

/** A recipient: counts deliveries per tag and keeps the call chain it saw. */
export class FanoutRecipientDO extends LumenizeDO {
  @mesh receive(tag: string): void {
    const kv = this.ctx.storage.kv;
    kv.put(`count:${tag}`, (kv.get<number>(`count:${tag}`) ?? 0) + 1);
    kv.put(`chain:${tag}`, this.lmz.callContext.callChain.map((e) => ({ ...e })));
  }
  #tally = new Map<string, number>();
  #keepAlive: ReturnType<typeof setTimeout> | undefined;
  /**
   * Counts in memory only (a storage write costs ~3 ms here). A pending timer holds the object in
   * memory from the first count until `tallyOf` reads it; an eviction anyway loses counts, failing
   * the test, never passing it.
   */
  @mesh tally(tag: string): void {
    this.#keepAlive ??= setTimeout(() => {}, 120_000);
    this.#tally.set(tag, (this.#tally.get(tag) ?? 0) + 1);
  }
  tallyOf(tag: string): number {
    clearTimeout(this.#keepAlive);
    this.#keepAlive = undefined;
    return this.#tally.get(tag) ?? 0;
  }
  @mesh seen(tag: string): { count: number; chain?: NodeIdentity[] } {
    return { count: this.ctx.storage.kv.get<number>(`count:${tag}`) ?? 0, chain: this.ctx.storage.kv.get<NodeIdentity[]>(`chain:${tag}`) };
  }
  #waiters: Array<() => void> = [];
  /** Raw RPC: resolves when `release()` is called (a branch that cannot finish on its own). */
  latch(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
  waiting(): number {
    return this.#waiters.length;
  }
  release(): number {
    const n = this.#waiters.length;
    for (const w of this.#waiters.splice(0)) w();
    return n;
  }
  /** Raw RPC (tests read many recipients without mesh envelopes). */
  countOf(tag: string): number {
    return this.ctx.storage.kv.get<number>(`count:${tag}`) ?? 0;
  }
}

/** A fan-out tier that fails the branches holding a recipient named `boom*`. */
export class FailingFanoutWorker extends LumenizeFanoutWorker {
  override async __lmzFanout(job: unknown) {
    const recipients = (job as { recipients: FanoutRecipient[] }).recipients;
    if (recipients.some((r) => r.instanceName?.startsWith('boom'))) throw new Error('tier exploded');
    // Holds the branch until the test releases the latch, i.e. after the parent gave up on it.
    if (recipients.some((r) => r.instanceName?.startsWith('hang'))) await this.env.FANOUT_RECIPIENT.getByName('latch').latch();
    return super.__lmzFanout(job);
  }
}

/**
 * A publisher that admits every subscriber; the test seeds subscriber rows through its admission.
 * Its branch deadline is the tests' own bound (240 s), not the 45 s default: these tests count
 * deliveries, and on a loaded machine a 10,000-recipient branch can take longer than 45 s, which
 * would make the deadline fire and the count depend on machine speed (seen with 3 test workers on
 * 2 cores: 1,816 of 10,000 reported failed). Deadlines have their own test (fanout.test.ts 98).
 */
export class FanoutPublisherDO extends LumenizeDO {
  static fanoutOptions = { binding: 'TEST_FANOUT', branchTimeoutMs: 240_000 };
  override onBeforeSubscribe(): void {}
  @mesh publishTo(topic: string, value: unknown): void {
    this.lmz.publish(topic, value);
  }
  /**
   * Publishes `values` to `topic` in one synchronous turn; with `keep`, after the first publish only
   * the first `keep` subscriber rows stay after the second publish (so the third can take the flat path).
   */
  @mesh publishSequence(topic: string, values: unknown[], keep?: number): void {
    values.forEach((value, i) => {
      this.lmz.publish(topic, value);
      if (i === 1 && keep !== undefined) {
        this.ctx.storage.sql.exec('DELETE FROM __lmz_subscribers WHERE topic = ? AND rowid NOT IN (SELECT rowid FROM __lmz_subscribers WHERE topic = ? ORDER BY rowid LIMIT ?)', topic, topic, keep);
      }
    });
  }
  /** Publishes to `topic` from this DO that have not settled yet (running or waiting their turn). */
  unsettled(topic: string): number {
    return unsettledPublishes(this, topic);
  }
  /**
   * Admits `count` subscriptions `sub-${prefix}${i}` held by `instances` subscribers `${prefix}${i % instances}`
   * of `binding`, as if each had subscribed itself, through the real admission path (caps included),
   * in one transaction. Raw RPC: test setup only.
   */
  seed(topic: string, binding: string, type: NodeIdentity['type'], prefix: string, count: number, instances = count): void {
    const admit = (this as unknown as { __lmzSubscribe(topic: string, id: string): void }).__lmzSubscribe.bind(this);
    this.ctx.storage.transactionSync(() => {
      for (let i = 0; i < count; i++) {
        const caller: NodeIdentity = { type, bindingName: binding, instanceName: `${prefix}${i % instances}` };
        runWithCallContext(receiveCallContext({ callChain: [caller], state: {} }), () => admit(topic, `sub-${prefix}${i}`));
      }
    });
  }
  subscriberCount(topic: string): number {
    return Number(this.ctx.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM __lmz_subscribers WHERE topic = ?', topic).one().n);
  }
}

/** What one CheapSubscriberDO holds for one subscription: deliveries counted, values in arrival order. */
export interface CheapDelivery {
  id: string;
  count: number;
  values: unknown[];
  publisher: NodeIdentity;
}

/**
 * The cheapest SQLite-backed subscriber: it answers the publisher's Workers RPC delivery itself and
 * counts each delivery in its own storage (one KV row per subscription), so exactly-once is read
 * from the subscribers, and survives eviction.
 */
export class CheapSubscriberDO extends DurableObject {
  __lmzDeliver(subscriptionId: string, topic: string, value: LmzIntermediate, publisher: NodeIdentity): string {
    const kv = this.ctx.storage.kv;
    const key = `got:${topic}:${subscriptionId}`;
    const prev = kv.get<CheapDelivery>(key);
    kv.put(key, { id: subscriptionId, count: (prev?.count ?? 0) + 1, values: [...(prev?.values ?? []), postprocess(value)], publisher });
    return 'delivered';
  }
  /** Every subscription of `topic` that got a delivery here. */
  got(topic: string): CheapDelivery[] {
    return Array.from(this.ctx.storage.kv.list<CheapDelivery>({ prefix: `got:${topic}:` }), ([, d]) => d);
  }
}

/** One branch a TestFanoutWorker received: who the fan-out originates at, its levels and size. */
export interface TierCall {
  origin: string;
  levels: number;
  recipients: number;
}

const tierCalls: TierCall[] = [];

/** CheapSubscriberDO deliveries through the test tiers: in flight now, the most at once, evicted after answering. */
const subscriberLoad = { live: 0, peak: 0, evicted: 0 };
/** `${topic} ${instance}` → what that subscriber's storage held for the topic right after each delivery answered. */
const storedAtDelivery = new Map<string, CheapDelivery[][]>();
/**
 * Most CheapSubscriberDO deliveries one tier invocation has in flight (each a live DO holding 3
 * descriptors): 484 leaves × 4 ≤ 2,000 live DOs at 10,000 subscribers. Per invocation, because a
 * promise may only be resolved by the request that made it.
 */
const LIVE_PER_TIER = 4;

type CheapStub = DurableObjectStub<CheapSubscriberDO>;

/**
 * `env.CHEAP_SUBSCRIBER` as one test tier invocation sees it: the real namespace and real stubs, but
 * at most LIVE_PER_TIER deliveries in flight, and once a delivery has answered (its storage write
 * committed: the output gate holds the answer until then) the subscriber DO is evicted. Local workerd
 * keeps every live SQLite DO's 3 files open for ~10 s after its last event and this machine allows
 * 20,000 descriptors per process, so without this 10,000 distinct subscribers in one burst fail at
 * ~6,600 with SQLITE_CANTOPEN (measured). Production spreads them over many machines.
 */
function evictingSubscribers(ns: DurableObjectNamespace<CheapSubscriberDO>): DurableObjectNamespace<CheapSubscriberDO> {
  let live = 0;
  const waiting: Array<() => void> = [];
  const wrap = (stub: CheapStub, name: string): CheapStub =>
    ({
      async __lmzDeliver(...args: Parameters<CheapSubscriberDO['__lmzDeliver']>) {
        if (live >= LIVE_PER_TIER) await new Promise<void>((resolve) => waiting.push(resolve));
        live++;
        subscriberLoad.peak = Math.max(subscriberLoad.peak, ++subscriberLoad.live);
        try {
          const outcome = await stub.__lmzDeliver(...args);
          // Read back from the subscriber's own storage while it is still alive (no second start).
          const key = `${args[1]} ${name}`;
          storedAtDelivery.set(key, [...(storedAtDelivery.get(key) ?? []), (await stub.got(args[1])) as CheapDelivery[]]);
          return outcome;
        } finally {
          await evictDurableObject(stub);
          subscriberLoad.evicted++;
          subscriberLoad.live--;
          live--;
          waiting.shift()?.();
        }
      },
      [Symbol.dispose]() {
        (stub as Partial<Disposable>)[Symbol.dispose]?.();
      },
    }) as unknown as CheapStub;
  return {
    [Symbol.toStringTag]: 'DurableObjectNamespace',
    idFromName: (name: string) => ns.idFromName(name),
    idFromString: (id: string) => ns.idFromString(id),
    newUniqueId: (o?: DurableObjectNamespaceNewUniqueIdOptions) => ns.newUniqueId(o),
    get: (id: DurableObjectId, o?: DurableObjectNamespaceGetDurableObjectOptions) => wrap(ns.get(id, o), id.name ?? id.toString()),
    getByName: (name: string, o?: DurableObjectNamespaceGetDurableObjectOptions) => wrap(ns.getByName(name, o), name),
    jurisdiction: () => ns,
  } as unknown as DurableObjectNamespace<CheapSubscriberDO>;
}

/**
 * FanoutPublisherDO's fan-out tier: LumenizeFanoutWorker plus a record of each branch it receives
 * (the publisher's real outbound calls are the branches with levels L − 1), and it holds every leaf
 * branch of a publish whose value has `hold: true` until `release()`. Its CHEAP_SUBSCRIBER binding
 * evicts each subscriber after its delivery (evictingSubscribers, above). Tests reach the record and
 * the held branches over raw RPC on the binding.
 */
export class TestFanoutWorker extends LumenizeFanoutWorker {
  constructor(ctx: ExecutionContext, env: Cloudflare.Env) {
    super(ctx, env);
    this.env = { ...env, CHEAP_SUBSCRIBER: evictingSubscribers(env.CHEAP_SUBSCRIBER) };
  }
  /** CheapSubscriberDO deliveries through these tiers: how many were evicted after answering, and the most in flight at once. */
  subscriberLoad(): { peak: number; evicted: number; live: number } {
    return { ...subscriberLoad };
  }
  /**
   * For CHEAP_SUBSCRIBER `${prefix}${i}` (i < instances): what its storage held for `topic` right
   * after each delivery through these tiers answered (one entry per delivery; none if never delivered).
   */
  storedAtDelivery(topic: string, prefix: string, instances: number): CheapDelivery[][][] {
    return Array.from({ length: instances }, (_, i) => storedAtDelivery.get(`${topic} ${prefix}${i}`) ?? []);
  }
  override async __lmzFanout(job: unknown) {
    const j = job as { levels: number; recipients: unknown[]; work: { type: string; value?: LmzIntermediate; publisher?: NodeIdentity } };
    const origin = j.work.publisher ? `${j.work.publisher.bindingName}/${j.work.publisher.instanceName}` : '';
    tierCalls.push({ origin, levels: j.levels, recipients: j.recipients.length });
    const value = j.work.type === 'publish' && j.work.value ? (postprocess(j.work.value) as { hold?: boolean } | null) : null;
    // Held on a latch DO (real pending I/O: a promise resolved from another request would be cancelled as hung).
    if (j.levels === 1 && value?.hold === true) await this.env.FANOUT_RECIPIENT.getByName('hold-latch').latch();
    return super.__lmzFanout(job);
  }
  /** Branches received for fan-outs originating at `origin` (`BINDING/instance`). */
  callsFrom(origin: string): TierCall[] {
    return tierCalls.filter((c) => c.origin === origin);
  }
  /** How many leaf branches are held. */
  held(): Promise<number> {
    return this.env.FANOUT_RECIPIENT.getByName('hold-latch').waiting();
  }
  /** Lets every held branch go on; answers how many there were. */
  release(): Promise<number> {
    return this.env.FANOUT_RECIPIENT.getByName('hold-latch').release();
  }
}

/** A real LumenizeDO subscriber: subscribes through lmz.subscribe and keeps what its handler got. */
export class FanoutSubscriberDO extends LumenizeDO {
  @mesh follow(binding: string, instance: string, topic: string): string {
    const sub: Subscription = this.lmz.subscribe(binding, instance, topic, this.ctn().onNews(topic, this.ctn().$result));
    return sub.id;
  }
  onNews(topic: string, value: unknown): void {
    const kv = this.ctx.storage.kv;
    kv.put(`news:${topic}`, [...(kv.get<unknown[]>(`news:${topic}`) ?? []), value]);
  }
  /** Forgets its subscriptions locally (as if its storage were reset): the next delivery is unknown. */
  forget(): void {
    this.ctx.storage.sql.exec('DELETE FROM __lmz_subscriptions');
  }
  news(topic: string): unknown[] {
    return this.ctx.storage.kv.get<unknown[]>(`news:${topic}`) ?? [];
  }
  status(): string[] {
    return this.ctx.storage.sql.exec<{ status: string }>('SELECT status FROM __lmz_subscriptions').toArray().map((r) => r.status);
  }
}
