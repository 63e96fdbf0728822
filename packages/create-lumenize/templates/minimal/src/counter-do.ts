/**
 * CounterDO: one shared counter. Signed-in browsers call `read()` and `increment()` through their
 * gateway; every increment is published on the `count` topic to every open tab.
 */
import { LumenizeDO, mesh } from '@lumenize/mesh';

export class CounterDO extends LumenizeDO {
  /** Every inbound call must come from a verified user (set by the gateway, never by the browser). */
  override onBeforeCall(): void {
    super.onBeforeCall();
    if (!this.lmz.callContext.originAuth?.userId) throw new Error('CounterDO needs a signed-in user');
  }

  override onBeforeSubscribe(topic: string): void {
    if (topic !== 'count') throw new Error(`CounterDO publishes only 'count', not '${topic}'`);
  }

  @mesh
  read(): number {
    return this.ctx.storage.kv.get<number>('count') ?? 0;
  }

  @mesh
  increment(): { count: number; by: string } {
    const count = this.read() + 1;
    this.ctx.storage.kv.put('count', count);
    const by = this.lmz.callContext.originAuth!.userId;
    this.lmz.publish('count', { count, by });
    return { count, by };
  }
}
