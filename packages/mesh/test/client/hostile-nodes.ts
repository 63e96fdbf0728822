/**
 * Test nodes for the adversarial gateway and bounded pub/sub tests: a mesh callee that answers with
 * whatever reply it is handed (how a broken or hostile node answers a gateway), and a publisher with
 * tiny subscription caps.
 */
import { DurableObject } from 'cloudflare:workers';
import { LumenizeDO, mesh } from '../../src/index.ts';
import { deserializeValue } from '../../src/envelope.ts';
import { postprocess, type LmzIntermediate } from '@lumenize/structured-clone';
import { decodeCompactChain, isCompactChainShape } from '../../src/wire/chain.ts';

/** Answers `__executeOperation` with the reply passed as the chain's only argument: `reply({ $result: '1,"seq":999' })`. */
export class RawReplyDO extends DurableObject {
  async __executeOperation(envelope: { chain: unknown }): Promise<unknown> {
    const parsed: unknown = typeof envelope.chain === 'string' ? JSON.parse(envelope.chain) : envelope.chain;
    // A LumenizeClient's chain arrives in the compact wire form; raw-socket tests send version 1.
    const chain = (isCompactChainShape(parsed) ? decodeCompactChain(parsed, false, postprocess) : deserializeValue(parsed as LmzIntermediate)) as Array<{ type: string; args?: unknown[] }>;
    return chain[1]?.args?.[0];
  }
}

/** A publisher with caps of 3 subscribers per topic and 2 subscriptions per subscriber. */
export class CappedNewsDO extends LumenizeDO<Cloudflare.Env> {
  static maxSubscribersPerTopic = 3;
  static maxSubscriptionsPerSubscriber = 2;

  override onBeforeSubscribe(): void {}

  @mesh
  post(topic: string, value: unknown): void {
    this.lmz.publish(topic, value);
  }

  /** Publishes a value built inside the DO (tests cannot send functions over RPC). */
  publishUnserializable(topic: string): string {
    try {
      this.lmz.publish(topic, { ok: 1, bad: () => 1 });
      return 'published';
    } catch (e) {
      return `${(e as Error).name}: ${(e as Error).message}`;
    }
  }

  /** The publisher's subscriber table, in a stable order. */
  rows(): Array<Record<string, SqlStorageValue>> {
    try {
      return this.ctx.storage.sql.exec('SELECT * FROM __lmz_subscribers ORDER BY topic, binding, instance, subscription_id').toArray();
    } catch {
      return [];
    }
  }
}
