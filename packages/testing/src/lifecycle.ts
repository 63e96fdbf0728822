/**
 * Hibernation and eviction on demand, built on `cloudflare:test`'s `evictDurableObject`. Either way
 * the instance is torn down and the next request constructs a fresh one (constructor and
 * `onStart` run again); storage is kept.
 */
import { debug } from '@lumenize/debug';
import { cloudflareTest } from './cloudflare-test.ts';

const log = debug('lmz.testing.lifecycle');

/**
 * Hibernates the DO: in-memory state is dropped, hibernatable WebSockets stay open and wake a
 * new instance (attachments intact) on their next message. The DO must be running.
 * @example await hibernate(env.CHAT.getByName('room'));
 */
export async function hibernate(stub: DurableObjectStub): Promise<void> {
  const { evictDurableObject } = await cloudflareTest();
  await evictDurableObject(stub, { webSockets: 'hibernate' });
  log.debug('hibernated', { id: stub.id.toString() });
}

/**
 * Evicts the DO and closes its WebSockets (what a deploy or runtime restart does): clients see a
 * close and must reconnect. The DO must be running.
 * @example await evict(env.CHAT.getByName('room'));
 */
export async function evict(stub: DurableObjectStub): Promise<void> {
  const { evictDurableObject } = await cloudflareTest();
  await evictDurableObject(stub, { webSockets: 'close' });
  log.debug('evicted', { id: stub.id.toString() });
}
