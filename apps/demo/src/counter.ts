/** A SQLite-backed Durable Object holding one counter in synchronous KV storage. */
import { DurableObject } from 'cloudflare:workers';
import { debug } from '@lumenize/debug';

export class CounterDO extends DurableObject {
  #log = debug(this);

  /** Current count (0 before the first increment). */
  count(): number {
    return this.ctx.storage.kv.get<number>('count') ?? 0;
  }

  /** Adds one and returns the new count; the write is synchronous, so no interleaving can lose it. */
  increment(): number {
    const next = this.count() + 1;
    this.ctx.storage.kv.put('count', next);
    this.#log('CounterDO.increment').info('incremented', { count: next });
    return next;
  }
}
