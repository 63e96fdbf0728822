/**
 * Hand-off batching (bench/fetch: 2,000 hand-off calls in flight from one DO were what made a burst
 * near-serial): the requests one DO method makes share calls to the executor, at most six per call
 * (one Worker invocation may hold six outbound connections at once), and `executeFetchBatch`
 * checks every message before it fetches any.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { endpointUrl } from './nodes.ts';
import { deliveriesOf, endpoints, logged, logsOf, mark, origin, OFFLINE, unique } from './helpers.ts';

describe('hand-off batching', () => {
  it('thirteen proxies in one turn go in three calls (6 + 6 + 1); each delivers exactly once with its own context', async () => {
    const name = unique('h-batch');
    const since = mark();
    const urls = Array.from({ length: 13 }, () => endpointUrl(name, '/uuid'));
    const ids = await origin(name).proxyMany(urls, 't', OFFLINE);
    const all = await deliveriesOf(name, 't', 13);
    expect(all).toHaveLength(13);
    expect(all.map((d) => d.ctx.index).sort((a, b) => Number(a) - Number(b))).toEqual([...Array(13).keys()]);
    for (const d of all) expect(d).toMatchObject({ kind: 'response', status: 200 });
    const batches = logsOf('lmz.fetch.Fetch.proxy', 'debug', since)
      .filter((r) => r.message === 'handed off' && (r.data as { reqIds: string[] }).reqIds.some((id) => ids.includes(id)))
      .map((r) => (r.data as { reqIds: string[] }).reqIds);
    expect(batches.map((b) => b.length)).toEqual([6, 6, 1]);
    expect(batches.flat()).toEqual(ids);
    // Every request's hand-off was acknowledged, one log per request.
    for (const id of ids) await logged('lmz.fetch.Fetch.proxy', 'debug', (r) => r.message.includes('acknowledged') && (r.data as { reqId?: string }).reqId === id, since);
    expect(await endpoints(name).requestCount()).toBe(13);
    expect(await origin(name).storageRows()).toEqual({ pending: 0, idempotency: 0, alarms: 0 });
  });

  it('a batch with one message naming another origin is refused whole; nothing is fetched', async () => {
    const name = unique('h-hostile');
    const out = await env.HOSTILE_DO.getByName(unique('hostile')).impersonateBatch(endpointUrl(name, '/uuid'), name, 3);
    expect(out).toMatchObject({ name: 'FetchAuthorizationError' });
    expect((out as { message: string }).message).toBe(
      'executeFetchBatch refused: the immediate caller must be the LumenizeDO named in the message (FETCH_DO); nothing was fetched',
    );
    expect(await endpoints(name).requestCount()).toBe(0);
  });

  it('an empty or oversized batch is refused with a TypeError; nothing is fetched', async () => {
    const name = unique('h-size');
    for (const size of [7, 0]) {
      const out = await env.HOSTILE_DO.getByName(unique('hostile')).impersonateBatch(endpointUrl(name, '/uuid'), name, size);
      expect(out).toMatchObject({ name: 'TypeError', message: 'executeFetchBatch: invalid messages: expected an array of 1 to 6 FetchMessages' });
    }
    expect(await endpoints(name).requestCount()).toBe(0);
  });
});
