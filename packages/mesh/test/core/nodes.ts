/**
 * Test nodes for mesh:workerd. Each class exists to prove spec behaviour; the tests name them.
 */
import { DurableObject } from 'cloudflare:workers';
import { LumenizeDO, LumenizeWorker, mesh, local, result, sql, Alarms, NadisPlugin } from '../../src/index.ts';
import type { AnyContinuation, CallContext, CallEnvelope, CallOptions, CallResult, NodeIdentity, OperationChain } from '../../src/index.ts';
import { ForbiddenError, InsufficientFundsError } from './errors.ts';

/** Rebuilds a continuation from a chain (tests send chains as data). */
export function replay(root: AnyContinuation, chain: OperationChain): AnyContinuation {
  let c = root as unknown as Record<string | number, unknown> & ((...a: unknown[]) => unknown);
  for (const op of chain) c = (op.type === 'get' ? c[op.key] : c(...op.args)) as typeof c;
  return c as unknown as AnyContinuation;
}

/** A plain-data copy of a call context. */
export function snapshot(ctx: CallContext) {
  return {
    callChain: ctx.callChain.map((e) => ({ ...e })),
    origin: { ...ctx.origin },
    caller: { ...ctx.caller },
    priorCaller: ctx.priorCaller ? { ...ctx.priorCaller } : undefined,
    originAuth: ctx.originAuth ? structuredClone(ctx.originAuth) : undefined,
    state: structuredClone(ctx.state),
  };
}

/** Tries to mutate the frozen parts of a context; `true` for each attempt that threw. */
export function attemptMutations(ctx: CallContext) {
  const threw = (fn: () => void) => {
    try {
      fn();
      return false;
    } catch {
      return true;
    }
  };
  return {
    push: threw(() => (ctx.callChain as NodeIdentity[]).push({ type: 'LumenizeDO', bindingName: 'FORGED' })),
    entry: threw(() => ((ctx.callChain[0] as { bindingName: string }).bindingName = 'FORGED')),
    origin: threw(() => ((ctx.origin as { bindingName: string }).bindingName = 'FORGED')),
    originAuth: ctx.originAuth ? threw(() => ((ctx.originAuth as { userId: string }).userId = 'mallory')) : 'none',
    claims: ctx.originAuth?.claims ? threw(() => ((ctx.originAuth!.claims as Record<string, unknown>).role = 'admin')) : 'none',
    state: !threw(() => (ctx.state.free = true)),
  };
}

/** How a handler records a value that may be an Error (KV keeps only name/message of Errors). */
export function describe(value: unknown) {
  if (value instanceof Error) {
    return {
      isError: true,
      name: value.name,
      message: value.message,
      isInsufficientFunds: value instanceof InsufficientFundsError,
      balance: (value as { balance?: unknown }).balance,
    };
  }
  return { isError: false, value };
}

export class CoreDO extends LumenizeDO {
  // ---- plain mesh methods
  @mesh setValue(v: unknown) {
    this.ctx.storage.kv.put('value', v);
    return v;
  }
  @mesh getValue() {
    return this.ctx.storage.kv.get('value');
  }
  @mesh put(key: string, value: unknown) {
    this.ctx.storage.kv.put(key, value);
    return true;
  }
  @mesh add(a: number, b: number) {
    return a + b;
  }
  @mesh echo<T>(v: T): T {
    return v;
  }
  @mesh async slowEcho<T>(v: T, ms = 20): Promise<T> {
    await new Promise((r) => setTimeout(r, ms));
    return v;
  }
  @mesh fail(message: string): never {
    throw new Error(message);
  }
  @mesh failWithString(text: string): never {
    throw text;
  }
  @mesh failCustom(balance: number): never {
    throw new InsufficientFundsError('insufficient funds', balance);
  }
  @mesh unserializableResult() {
    return new ReadableStream();
  }
  @mesh context() {
    return snapshot(this.lmz.callContext);
  }
  @mesh identity() {
    return { bindingName: this.lmz.bindingName, instanceName: this.lmz.instanceName, instanceNameOrId: this.lmz.instanceNameOrId, id: this.lmz.id };
  }
  @mesh mutateState() {
    this.lmz.callContext.state.mutatedByCallee = true;
    return snapshot(this.lmz.callContext).state;
  }
  /** Context at three await points of three concurrent outbound calls. */
  @mesh async concurrentRelays(binding: string, instances: string[]) {
    const origins: unknown[] = [];
    await Promise.all(
      instances.map(async (instance) => {
        origins.push(this.lmz.callContext.origin);
        await this.lmz.callRaw(binding, instance, this.ctn<CoreDO>().slowEcho(instance, 5));
        origins.push(this.lmz.callContext.origin);
      }),
    );
    origins.push(this.lmz.callContext.origin);
    return origins;
  }

  @mesh async contextAcrossAwait(ms = 10) {
    const before = snapshot(this.lmz.callContext).origin;
    await new Promise((r) => setTimeout(r, ms));
    return { before, after: snapshot(this.lmz.callContext).origin };
  }
  @mesh mutationAttempts() {
    return attemptMutations(this.lmz.callContext);
  }
  /** Demonstrates the documented override pattern: identity first, then your own routes. */
  override async fetch(request: Request): Promise<Response> {
    const base = await super.fetch(request);
    if (base.status === 500) return base;
    if (new URL(request.url).pathname === '/call-context') {
      try {
        return Response.json(this.lmz.callContext);
      } catch (e) {
        return new Response((e as Error).message, { status: 409 });
      }
    }
    return base;
  }

  // ---- relays: chains arrive as data and are re-sent
  @mesh async relay(binding: string, instance: string | undefined, chain: OperationChain, options?: CallOptions, state?: Record<string, unknown>) {
    if (state) Object.assign(this.lmz.callContext.state, state);
    return this.lmz.callRaw(binding, instance, chain, options);
  }
  @mesh async pingPong(otherBinding: string, otherInstance: string, myBinding: string, myInstance: string, remaining: number): Promise<number> {
    if (remaining === 0) return this.lmz.callContext.callChain.length;
    return (await this.lmz.callRaw(otherBinding, otherInstance, this.ctn<CoreDO>().pingPong(myBinding, myInstance, otherBinding, otherInstance, remaining - 1))) as number;
  }
  /** Fire-and-forget from inside a mesh call, with state marker and recording handler. */
  @mesh startCall(binding: string, instance: string | undefined, chain: OperationChain, key: string, options?: CallOptions, marker?: unknown) {
    if (marker !== undefined) this.lmz.callContext.state.marker = marker;
    this.lmz.call(binding, instance, replay(this.ctn(), chain), this.ctn().recordOutcome(key, this.ctn().$result), options);
    return 'started';
  }
  /** The context is copied at call(): later changes by the caller reach neither callee nor handler. */
  @mesh startCallThenMutate(binding: string, instance: string, key: string) {
    this.lmz.callContext.state.marker = 'at-call';
    this.lmz.call(binding, instance, this.ctn<CoreDO>().context(), this.ctn().recordOutcome(key, this.ctn().$result));
    this.lmz.callContext.state.marker = 'changed-after-call';
    return 'started';
  }
  /** Two one-way calls: call the caller back with an independent call. */
  @mesh callMeBack(key: string) {
    const caller = this.lmz.callContext.caller;
    this.lmz.call(caller.bindingName, caller.instanceName, this.ctn<CoreDO>().receiveCallback(key));
    return 'will call back';
  }
  @mesh receiveCallback(key: string) {
    this.ctx.storage.kv.put(key, snapshot(this.lmz.callContext));
  }

  // ---- handlers (unannotated: local use only)
  store(key: string, value?: unknown) {
    this.ctx.storage.kv.put(key, value);
  }
  recordOutcome(key: string, outcome: unknown) {
    this.ctx.storage.kv.put(key, { outcome: describe(outcome), context: snapshot(this.lmz.callContext) });
  }
  recordMutationAttempts(key: string, _outcome?: unknown) {
    this.ctx.storage.kv.put(key, attemptMutations(this.lmz.callContext));
  }
  recordMiddle(key: string, outcome: unknown, tail: string) {
    this.ctx.storage.kv.put(key, { first: key, outcome: describe(outcome), tail });
  }
  throwingHandler(key: string, _outcome: unknown) {
    this.ctx.storage.kv.put(key, (this.ctx.storage.kv.get<number>(key) ?? 0) + 1);
    throw new Error(`handler ${key} failed`);
  }
  writeThenThrow(key: string, _outcome: unknown) {
    this.ctx.storage.kv.put(key, 'written');
    throw new Error('handler failed after writing');
  }
  recordOrder(label: string) {
    const order = this.ctx.storage.kv.get<string[]>('order') ?? [];
    this.ctx.storage.kv.put('order', [...order, label]);
  }
  @local localOnly(_outcome?: unknown) {
    return 'local';
  }
}

/** Workers RPC hops a SpyDO received, by entry point. */
export interface SpyHops {
  operation: number;
  batch: number;
  parked: number;
}

/** Records every envelope it receives before running it, and counts the RPC hops that carried them. */
export class SpyDO extends CoreDO {
  #hop(kind: keyof SpyHops): void {
    const hops = this.ctx.storage.kv.get<SpyHops>('hops') ?? { operation: 0, batch: 0, parked: 0 };
    hops[kind]++;
    this.ctx.storage.kv.put('hops', hops);
  }
  #record(envelopes: CallEnvelope[]): void {
    const seen = this.ctx.storage.kv.get<unknown[]>('envelopes') ?? [];
    // Multi-megabyte chains (batch size tests) are counted, not stored: a KV value has a size limit.
    const kept = envelopes.map((e) => (typeof e?.chain === 'string' && (e.chain as string).length > 65_536 ? { oversized: (e.chain as string).length } : e));
    this.ctx.storage.kv.put('envelopes', [...seen, ...kept]);
  }
  override __executeOperation(envelope: CallEnvelope): Promise<CallResult> {
    this.#hop('operation');
    this.#record([envelope]);
    return super.__executeOperation(envelope);
  }
  override __executeBatch(envelopes: CallEnvelope[]): ReturnType<CoreDO['__executeBatch']> {
    this.#hop('batch');
    if (Array.isArray(envelopes)) this.#record(envelopes);
    return super.__executeBatch(envelopes);
  }
  override __awaitParked(token: string): Promise<CallResult> {
    this.#hop('parked');
    return super.__awaitParked(token);
  }
  /** Writes, then throws (with `transaction: true` the write is rolled back). */
  @mesh putThenFail(key: string, value: unknown): never {
    this.ctx.storage.kv.put(key, value);
    throw new Error(`failed after writing ${key}`);
  }
  /** Appends `label` to the stored `order` list (the order calls ran in). */
  @mesh append(label: string) {
    const order = this.ctx.storage.kv.get<string[]>('order') ?? [];
    this.ctx.storage.kv.put('order', [...order, label]);
    return order.length;
  }
}

/** onStart with an async step: requests must wait for the table. */
export class StartDO extends LumenizeDO {
  #table = 'items';
  override async onStart() {
    await new Promise((r) => setTimeout(r, 20));
    this.svc.sql`CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT)`;
    this.ctx.storage.kv.put('startedWithTable', this.#table);
  }
  @mesh insert(v: string) {
    this.svc.sql`INSERT INTO items (v) VALUES (${v})`;
    return this.svc.sql<{ n: number }>`SELECT COUNT(*) AS n FROM items`[0].n;
  }
}

/** No onStart: no blockConcurrencyWhile. */
export class PlainDO extends LumenizeDO {
  @mesh ping(n: number) {
    return n;
  }
}

/** Counts blockConcurrencyWhile calls (the vitest wrapper makes its own later, so read it right after super()). */
export const bcwCalls = new Map<string, number>();
function countBlockConcurrency(ctx: DurableObjectState): void {
  const original = ctx.blockConcurrencyWhile.bind(ctx);
  const id = ctx.id.toString();
  bcwCalls.set(id, 0);
  ctx.blockConcurrencyWhile = <T>(fn: () => Promise<T>) => {
    bcwCalls.set(id, (bcwCalls.get(id) ?? 0) + 1);
    return original(fn);
  };
}

/** No onStart: the constructor must not call blockConcurrencyWhile. */
export class CountingPlainDO extends LumenizeDO {
  readonly duringConstruction: number;
  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    countBlockConcurrency(ctx);
    super(ctx, env);
    this.duringConstruction = bcwCalls.get(ctx.id.toString())!;
  }
  @mesh ping() {
    return this.duringConstruction;
  }
}

/** With onStart: exactly one blockConcurrencyWhile, and subclass fields are ready inside onStart. */
export class CountingStartDO extends LumenizeDO {
  #ready = 'field initialized';
  readonly duringConstruction: number;
  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    countBlockConcurrency(ctx);
    super(ctx, env);
    this.duringConstruction = bcwCalls.get(ctx.id.toString())!;
  }
  override onStart() {
    this.ctx.storage.kv.put('sawField', this.#ready);
  }
  @mesh ping() {
    return this.duringConstruction;
  }
}

/** onStart always fails. */
export class FailingStartDO extends LumenizeDO {
  override onStart() {
    throw new Error('onStart exploded');
  }
  @mesh ping() {
    return 'pong';
  }
}

export class GuardedDO extends LumenizeDO {
  #order(label: string) {
    const order = this.ctx.storage.kv.get<string[]>('order') ?? [];
    this.ctx.storage.kv.put('order', [...order, label]);
  }
  requireRole(role: string) {
    this.#order('guard');
    if (this.lmz.callContext.state.role !== role) throw new ForbiddenError(`requires role ${role}`);
  }
  override onBeforeCall() {
    super.onBeforeCall();
    this.#order(`onBeforeCall:${this.lmz.callContext.origin.bindingName}`);
    if (this.lmz.callContext.state.blockMe) throw new ForbiddenError('blocked by onBeforeCall');
  }
  @mesh open() {
    this.#order('method');
    return 'open';
  }
  hidden() {
    this.ctx.storage.kv.put('hiddenRan', true);
    return 'hidden';
  }
  @mesh((i: GuardedDO) => i.requireRole('admin')) guardedA() {
    this.#order('method');
    return 'a';
  }
  @mesh.guard((i: GuardedDO) => i.requireRole('admin')) guardedB() {
    this.#order('method');
    return 'b';
  }
  @mesh(async (i: GuardedDO) => {
    await new Promise((r) => setTimeout(r, 1));
    i.requireRole('admin');
  })
  asyncGuarded() {
    this.#order('method');
    return 'async';
  }
  @mesh((i: GuardedDO) => i.requireRole('admin')) admin() {
    return { forceReset: () => this.forceReset() };
  }
  forceReset() {
    this.ctx.storage.kv.put('reset', true);
    return 'reset done';
  }
  @mesh wrap(x: unknown) {
    return { wrapped: x };
  }
  @result onlyResult(_v: unknown) {
    return 'result';
  }
  @mesh @result meshAndResult(v: unknown) {
    return v;
  }
  @local localOnly() {
    return 'local';
  }
  #secret() {
    this.ctx.storage.kv.put('secretRan', true);
    return 'secret';
  }
  @mesh usesSecret() {
    return this.#secret();
  }
}

/** A plugin as a class, for NADIS tests. */
export class CounterPlugin extends NadisPlugin {
  #n = 0;
  next() {
    return ++this.#n;
  }
  get exposed() {
    return { hasCtx: typeof this.ctx.storage === 'object', hasSvc: typeof this.svc === 'object', doInstance: this.doInstance };
  }
}
/** A plugin whose constructor needs a service nobody registered. */
export class NeedyPlugin extends NadisPlugin {
  constructor(doInstance: object) {
    super(doInstance);
    void (this.svc as unknown as Record<string, unknown>).missingDependency;
  }
}
NadisPlugin.register('counter', CounterPlugin);
NadisPlugin.register('greeting', (doInstance: object) => `hello from ${(doInstance as { constructor: { name: string } }).constructor.name}`);
NadisPlugin.register('needy', NeedyPlugin);
declare global {
  interface LumenizeServices {
    counter: CounterPlugin;
    greeting: string;
    needy: NeedyPlugin;
  }
}

/** A plain DurableObject (not LumenizeDO) using services standalone. */
export class RawDO extends DurableObject {
  static sqlMigrations = [
    'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)',
    `CREATE TABLE migration_log (n INTEGER); INSERT INTO migration_log VALUES (2)`,
    (q: ReturnType<typeof sql>) => {
      q`ALTER TABLE notes ADD COLUMN tag TEXT`;
      q`INSERT INTO migration_log VALUES (${3})`;
    },
  ];
  notes(body: string, tag: string) {
    const q = sql(this);
    q`INSERT INTO notes (body, tag) VALUES (${body}, ${tag})`;
    return q<{ body: string; tag: string }>`SELECT body, tag FROM notes ORDER BY id`;
  }
  migrationLog() {
    return sql(this)<{ n: number }>`SELECT n FROM migration_log ORDER BY n`.map((r) => r.n);
  }
  counterStandalone() {
    const plugin = new CounterPlugin(this);
    return [plugin.next(), plugin.next()];
  }
  alarmsStandalone() {
    return typeof new Alarms(this).getSchedules;
  }
}

export class AlarmDO extends LumenizeDO {
  recordAlarm(payload: unknown) {
    const runs = this.ctx.storage.kv.get<unknown[]>('runs') ?? [];
    this.ctx.storage.kv.put('runs', [...runs, payload]);
  }
  recordContext(label: string) {
    this.ctx.storage.kv.put(`ctx:${label}`, snapshot(this.lmz.callContext));
  }
  throwingAlarm(label: string) {
    throw new Error(`alarm ${label} failed`);
  }
  writeThenThrowAlarm() {
    this.ctx.storage.kv.put('alarmWrite', 'written');
    throw new Error('alarm failed after writing');
  }
  @local localOnly() {}
  @mesh scheduleFromCall(label: string) {
    return this.svc.alarms.schedule(0, this.ctn().recordContext(label)).id;
  }
}

export class BankDO extends LumenizeDO {
  #balance(account: string) {
    return this.ctx.storage.kv.get<number>(`balance:${account}`) ?? 100;
  }
  @mesh debit(account: string, amount: number) {
    const next = this.#balance(account) - amount;
    this.ctx.storage.kv.put(`balance:${account}`, next);
    return next;
  }
  @mesh credit(account: string, amount: number) {
    if (amount < 0) throw new Error('credit amount must be positive');
    const next = this.#balance(account) + amount;
    this.ctx.storage.kv.put(`balance:${account}`, next);
    return next;
  }
  @mesh async asyncCredit(account: string, amount: number) {
    await new Promise((r) => setTimeout(r, 1));
    return this.credit(account, amount);
  }
  @mesh balance(account: string) {
    return this.#balance(account);
  }
  @mesh debitThenFail(account: string, amount: number) {
    this.debit(account, amount);
    throw new Error('failed after debit');
  }
}

export class CoreWorker extends LumenizeWorker {
  @mesh echo<T>(v: T): T {
    return v;
  }
  @mesh context() {
    return { context: snapshot(this.lmz.callContext), bindingName: this.lmz.bindingName };
  }
  @mesh async relay(binding: string, instance: string | undefined, chain: OperationChain) {
    return this.lmz.callRaw(binding, instance, chain);
  }
  /** Sends every chain in one turn (DO → DO batching applies to Worker callers too). */
  @mesh async relayAll(binding: string, instance: string | undefined, chains: OperationChain[]) {
    return Promise.all(chains.map((chain) => this.lmz.callRaw(binding, instance, chain)));
  }
  @mesh fireAndForget(binding: string, instance: string, key: string, value: unknown) {
    this.lmz.call(binding, instance, this.ctn<CoreDO>().slowEcho(value, 30), this.ctn().afterEcho(binding, instance, key, this.ctn().$result));
    return 'returned';
  }
  /** What this Worker's own call() says to DO-only caller options (it must refuse them synchronously). */
  @mesh tryDoOnlyOptions() {
    const attempt = (options: CallOptions) => {
      try {
        this.lmz.call('CORE_DO', 'never-called', this.ctn<CoreDO>().echo(1), this.ctn().afterEcho('CORE_DO', 'never-called', 'k', this.ctn().$result), options);
        return 'accepted';
      } catch (e) {
        return (e as Error).message;
      }
    };
    return { exclusive: attempt({ exclusive: true }), handlerTransaction: attempt({ handlerTransaction: true }), none: attempt({}) };
  }
  afterEcho(binding: string, instance: string, key: string, value: unknown) {
    this.lmz.call(binding, instance, this.ctn<CoreDO>().put(key, { handledByWorker: value }));
  }
  /** Item 6: instance-related assignments are ignored on Workers. */
  identityAfterAssignments() {
    this.lmz.init({ bindingName: 'CORE_WORKER' });
    this.lmz.bindingName = 'CORE_WORKER';
    let mismatch = '';
    try {
      this.lmz.bindingName = 'OTHER';
    } catch (e) {
      mismatch = (e as Error).message;
    }
    this.lmz.instanceName = 'x';
    this.lmz.id = 'y';
    this.lmz.instanceNameOrId = 'z';
    return { type: this.lmz.type, instanceName: this.lmz.instanceName, id: this.lmz.id, instanceNameOrId: this.lmz.instanceNameOrId, mismatch };
  }
}
