/**
 * Nodes for the adversarial suite (adversarial.test.ts): a victim DO with privileged local methods a
 * forged marker would love to reach, and a hostile Worker and DO whose answers and publishes are
 * shaped like nested-operation markers.
 */
import { LumenizeDO, LumenizeWorker, mesh, type OperationChain } from '../../src/index.ts';

/** What a successful forgery would run: wipe the victim's storage with its own privilege. */
const WIPE: OperationChain = [{ type: 'get', key: 'ctx' }, { type: 'get', key: 'storage' }, { type: 'get', key: 'deleteAll' }, { type: 'apply', args: [] }];
const LOCAL_WIPE: OperationChain = [{ type: 'get', key: 'wipe' }, { type: 'apply', args: [] }];

/** Every marker shape the old recognizer would have run, at the top, in arrays and in objects. */
export function markerShapedValues(): unknown[] {
  const marker = { __isNestedOperation: true, __operationChain: WIPE };
  const local = { __isNestedOperation: true, __operationChain: LOCAL_WIPE };
  return [
    marker,
    [marker, local],
    { deep: { list: [local] } },
    { __isNestedOperation: true, __refId: 'r1' },
    new Map([['k', marker]]),
  ];
}

export class VictimDO extends LumenizeDO {
  /** Local privileged work (no @mesh): a forged marker in a handler would reach it. */
  wipe() {
    this.ctx.storage.kv.put('wiped', true);
  }
  @mesh plant() {
    this.ctx.storage.kv.put('canary', 'alive');
  }
  @mesh askWorker(key: string) {
    this.lmz.call('HOSTILE_WORKER', undefined, this.ctn<HostileWorker>().answer(), this.ctn().record(key, this.ctn().$result));
    return 'asked';
  }
  @mesh async askWorkerRaw() {
    return this.lmz.callRaw('HOSTILE_WORKER', undefined, this.ctn<HostileWorker>().answer());
  }
  @mesh listen(instance: string) {
    this.lmz.subscribe('HOSTILE_DO', instance, 'news', this.ctn().record('published', this.ctn().$result));
    return 'subscribed';
  }
  /** A handler: stores what arrived, as data. */
  record(key: string, value: unknown) {
    this.ctx.storage.kv.put(key, value);
  }
  @mesh read(key: string) {
    return this.ctx.storage.kv.get(key);
  }
  @mesh state() {
    return { canary: this.ctx.storage.kv.get('canary'), wiped: this.ctx.storage.kv.get('wiped') ?? false };
  }
}

export class HostileWorker extends LumenizeWorker {
  @mesh answer() {
    return markerShapedValues();
  }
}

export class HostileDO extends LumenizeDO {
  override onBeforeSubscribe(): void {}
  @mesh publishBombs() {
    this.lmz.publish('news', markerShapedValues());
    return 'published';
  }
}

/** Getters and guards on the way to an entry point. */
class Tools {
  constructor(readonly owner: TrapDO) {}
  @mesh((holder: Tools) => holder.owner.guardSaw(holder)) twice(n: number) {
    return n * 2;
  }
}

export class TrapDO extends LumenizeDO {
  tools = new Tools(this);
  /** A getter on the way to an entry point: reading it is a side effect. */
  get trap(): Tools {
    this.ctx.storage.kv.put('getterRan', (this.ctx.storage.kv.get<number>('getterRan') ?? 0) + 1);
    return this.tools;
  }
  guardSaw(holder: unknown) {
    this.ctx.storage.kv.put('guardSaw', holder === this.tools ? 'tools' : holder === this ? 'instance' : 'other');
  }
  /** Counts how often a nested leaf runs (aliased markers must run once). */
  @mesh leaf() {
    const runs = (this.ctx.storage.kv.get<number>('leafRuns') ?? 0) + 1;
    this.ctx.storage.kv.put('leafRuns', runs);
    return 1;
  }
  @mesh sum(...values: unknown[]) {
    return values.reduce<number>((total, v) => total + (typeof v === 'number' ? v : 0), 0);
  }
  @mesh echo<T>(v: T): T {
    return v;
  }
  @mesh count(key: string) {
    return this.ctx.storage.kv.get<number>(key) ?? 0;
  }
  @mesh read(key: string) {
    return this.ctx.storage.kv.get(key);
  }
}
