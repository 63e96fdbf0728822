/**
 * DO → DO batching (issue 18 item 1): the `lmz.call`/`callRaw`s a node makes in one turn to one
 * Durable Object share one Workers RPC (`__executeBatch`), and nothing else observable changes.
 * SpyDO counts the hops it receives (its own `__executeOperation`/`__executeBatch`/`__awaitParked`).
 *
 * Not tested here: the fallback for a DO that has no `__executeBatch` (one RPC per call). Calling a
 * missing method of a DO under @cloudflare/vitest-plugin makes its DO wrapper (test-internal.mjs,
 * assertRPCPropertyAccessible) report an unhandled rejection in about one run of four, which fails
 * the run although the caller handled the error.
 *
 * | behaviour | test |
 * |---|---|
 * | 32 calls in one turn → 1 hop | "32 callRaws in one turn reach the callee in one RPC …" |
 * | one failing call fails only itself | "a failing call in a batch rejects alone …" |
 * | order preserved | "calls run and answer in the order they were made" |
 * | call context per call | "each batched call carries its own call context" |
 * | options per call | "options stay per call: a transaction call that fails …" |
 * | Worker callers | "a Worker caller batches its calls to one DO too" |
 * | no timer window: later turns are not held | "a lone call and calls in later turns go at once …" |
 * | handlers (`call`) | "call() handlers of a batch each run once with their own result" |
 * | slow call does not hold back fast ones | "a call still running when the batch replies is fetched on its own" |
 * | Worker callees | "calls to a Worker in one turn still work, one RPC each" |
 * | per-target grouping, split at 1,000 calls or 4 Mi chars | "calls to two DOs …", "1,002 calls …", "calls too large to share one RPC …" |
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { CoreDO, CoreWorker, SpyDO, SpyHops } from './nodes.ts';
import { getOperationChain, newContinuation } from '../../src/index.ts';
import { meshCall, waitFor } from './helpers.ts';

/** Runs `fn` inside CORE_DO `name` with its identity initialized. */
function inDO<R>(name: string, fn: (instance: CoreDO, state: DurableObjectState) => R | Promise<R>) {
  return runInDurableObject(env.CORE_DO.getByName(name), (instance: CoreDO, state) => {
    instance.lmz.init({ bindingName: 'CORE_DO', instanceNameOrId: name });
    return fn(instance, state);
  });
}

const spyKv = <T>(name: string, key: string) => runInDurableObject(env.SPY_DO.getByName(name), (_i, state) => state.storage.kv.get<T>(key));
const hopsOf = async (name: string): Promise<SpyHops> => (await spyKv<SpyHops>(name, 'hops')) ?? { operation: 0, batch: 0, parked: 0 };
const settle = (ps: Array<Promise<unknown>>) => Promise.allSettled(ps).then((rs) => rs.map((r) => (r.status === 'fulfilled' ? r.value : `error: ${(r.reason as Error).message}`)));

describe('DO → DO batching', () => {
  it('32 callRaws in one turn reach the callee in one RPC, each answered with its own value', async () => {
    const values = await inDO('batch-32', (a) =>
      Promise.all(Array.from({ length: 32 }, (_, i) => a.lmz.callRaw('SPY_DO', 'batch-32-spy', a.ctn<SpyDO>().echo(i)))),
    );
    expect(values).toEqual(Array.from({ length: 32 }, (_, i) => i));
    expect(await hopsOf('batch-32-spy')).toEqual({ operation: 0, batch: 1, parked: 0 });
    expect(await spyKv<unknown[]>('batch-32-spy', 'envelopes')).toHaveLength(32);
  });

  it('a failing call in a batch rejects alone; the calls around it resolve', async () => {
    const outcomes = await inDO('batch-fail', (a) =>
      settle([
        a.lmz.callRaw('SPY_DO', 'batch-fail-spy', a.ctn<SpyDO>().echo('first')),
        a.lmz.callRaw('SPY_DO', 'batch-fail-spy', a.ctn<SpyDO>().fail('only me')),
        a.lmz.callRaw('SPY_DO', 'batch-fail-spy', a.ctn<{ notAMethod(): void }>().notAMethod()),
        a.lmz.callRaw('SPY_DO', 'batch-fail-spy', a.ctn<SpyDO>().echo('last')),
      ]),
    );
    expect(outcomes[0]).toBe('first');
    expect(outcomes[1]).toBe('error: only me');
    expect(String(outcomes[2])).toMatch(/^error: /);
    expect(outcomes[3]).toBe('last');
    expect(await hopsOf('batch-fail-spy')).toEqual({ operation: 0, batch: 1, parked: 0 });
  });

  it('calls run and answer in the order they were made', async () => {
    const labels = Array.from({ length: 32 }, (_, i) => `c${i}`);
    const positions = await inDO('batch-order', (a) => Promise.all(labels.map((l) => a.lmz.callRaw('SPY_DO', 'batch-order-spy', a.ctn<SpyDO>().append(l)))));
    expect(positions).toEqual(labels.map((_, i) => i));
    expect(await spyKv('batch-order-spy', 'order')).toEqual(labels);
    expect((await hopsOf('batch-order-spy')).batch).toBe(1);
  });

  it('each batched call carries its own call context (state option, caller chain)', async () => {
    const contexts = (await inDO('batch-ctx', (a) =>
      Promise.all([
        a.lmz.callRaw('SPY_DO', 'batch-ctx-spy', a.ctn<SpyDO>().context(), { state: { n: 1 } }),
        a.lmz.callRaw('SPY_DO', 'batch-ctx-spy', a.ctn<SpyDO>().context(), { state: { n: 2 } }),
        a.lmz.callRaw('SPY_DO', 'batch-ctx-spy', a.ctn<SpyDO>().context()),
      ]),
    )) as Array<{ state: unknown; callChain: unknown }>;
    expect(contexts.map((c) => c.state)).toEqual([{ n: 1 }, { n: 2 }, {}]);
    for (const c of contexts) expect(c.callChain).toEqual([{ type: 'LumenizeDO', bindingName: 'CORE_DO', instanceName: 'batch-ctx' }]);
    expect((await hopsOf('batch-ctx-spy')).batch).toBe(1);
  });

  it('the state a caller changes after call() does not reach the batched envelope', async () => {
    const ctx = (await inDO('batch-mutate', (a) => {
      const state: Record<string, unknown> = { at: 'call' };
      const p = a.lmz.callRaw('SPY_DO', 'batch-mutate-spy', a.ctn<SpyDO>().context(), { state });
      const q = a.lmz.callRaw('SPY_DO', 'batch-mutate-spy', a.ctn<SpyDO>().echo(1));
      state.at = 'changed before the batch left';
      return Promise.all([p, q]).then(([c]) => c);
    })) as { state: unknown };
    expect(ctx.state).toEqual({ at: 'call' });
  });

  it('a lone call and calls in later turns go at once, each in its own RPC (no batching window)', async () => {
    const values = await inDO('batch-turns', async (a) => {
      const first = await a.lmz.callRaw('SPY_DO', 'batch-turns-spy', a.ctn<SpyDO>().echo(1));
      const second = await a.lmz.callRaw('SPY_DO', 'batch-turns-spy', a.ctn<SpyDO>().echo(2));
      return [first, second];
    });
    expect(values).toEqual([1, 2]);
    expect(await hopsOf('batch-turns-spy')).toEqual({ operation: 2, batch: 0, parked: 0 });
  });

  it('call() handlers of a batch each run once with their own result', async () => {
    await inDO('batch-handlers', (a) => {
      for (let i = 0; i < 8; i++) a.lmz.call('SPY_DO', 'batch-handlers-spy', a.ctn<SpyDO>().echo(i), a.ctn().store(`h${i}`, a.ctn().$result));
      a.lmz.call('SPY_DO', 'batch-handlers-spy', a.ctn<SpyDO>().fail('handled'), a.ctn().recordOutcome('failed', a.ctn().$result));
    });
    const kv = (key: string) => runInDurableObject(env.CORE_DO.getByName('batch-handlers'), (_i, state) => state.storage.kv.get(key));
    const failed = (await waitFor(() => kv('failed'), 'failing handler')) as { outcome: unknown };
    expect(failed.outcome).toMatchObject({ isError: true, message: 'handled' });
    for (let i = 0; i < 8; i++) expect(await waitFor(() => kv(`h${i}`), `handler ${i}`)).toBe(i);
    expect((await hopsOf('batch-handlers-spy')).batch).toBe(1);
  });

  it('a call still running when the batch replies is fetched on its own; the fast ones are not held back', async () => {
    const values = await inDO('batch-slow', (a) =>
      Promise.all([
        a.lmz.callRaw('SPY_DO', 'batch-slow-spy', a.ctn<SpyDO>().slowEcho('slow', 30)),
        a.lmz.callRaw('SPY_DO', 'batch-slow-spy', a.ctn<SpyDO>().echo('fast')),
      ]),
    );
    expect(values).toEqual(['slow', 'fast']);
    expect(await hopsOf('batch-slow-spy')).toEqual({ operation: 0, batch: 1, parked: 1 });
  });

  it('calls to two DOs in one turn leave as one batch per DO', async () => {
    const values = await inDO('batch-two', (a) =>
      Promise.all([
        a.lmz.callRaw('SPY_DO', 'batch-two-a', a.ctn<SpyDO>().echo('a1')),
        a.lmz.callRaw('SPY_DO', 'batch-two-b', a.ctn<SpyDO>().echo('b1')),
        a.lmz.callRaw('SPY_DO', 'batch-two-a', a.ctn<SpyDO>().echo('a2')),
        a.lmz.callRaw('SPY_DO', 'batch-two-b', a.ctn<SpyDO>().echo('b2')),
      ]),
    );
    expect(values).toEqual(['a1', 'b1', 'a2', 'b2']);
    expect(await hopsOf('batch-two-a')).toEqual({ operation: 0, batch: 1, parked: 0 });
    expect(await hopsOf('batch-two-b')).toEqual({ operation: 0, batch: 1, parked: 0 });
  });

  it('1,002 calls leave as two RPCs of at most 1,000 envelopes', async () => {
    const values = await inDO('batch-1001', (a) => Promise.all(Array.from({ length: 1002 }, (_, i) => a.lmz.callRaw('SPY_DO', 'batch-1001-spy', a.ctn<SpyDO>().add(i, 0)))));
    expect(values).toEqual(Array.from({ length: 1002 }, (_, i) => i));
    expect(await hopsOf('batch-1001-spy')).toEqual({ operation: 0, batch: 2, parked: 0 });
  });

  it('calls too large to share one RPC are split in order, never refused together', async () => {
    const big = 'x'.repeat(2.1 * 1024 * 1024);
    const lengths = await inDO('batch-size', (a) =>
      Promise.all([
        a.lmz.callRaw('SPY_DO', 'batch-size-spy', a.ctn<SpyDO>().echo(big)),
        a.lmz.callRaw('SPY_DO', 'batch-size-spy', a.ctn<SpyDO>().echo(big)),
        a.lmz.callRaw('SPY_DO', 'batch-size-spy', a.ctn<SpyDO>().append('after the big ones')),
      ]).then((vs) => vs.map((v) => (typeof v === 'string' ? v.length : v))),
    );
    expect(lengths).toEqual([big.length, big.length, 0]);
    // 2 × 2.1 Mi characters exceed one batch's 4 Mi budget: the first alone, then the other two together.
    expect(await hopsOf('batch-size-spy')).toEqual({ operation: 1, batch: 1, parked: 0 });
  });

  it('options stay per call: a transaction call that fails rolls back only its own writes', async () => {
    const outcomes = await inDO('batch-tx', (a) =>
      settle([
        a.lmz.callRaw('SPY_DO', 'batch-tx-spy', a.ctn<SpyDO>().putThenFail('rolledBack', 1), { transaction: true }),
        a.lmz.callRaw('SPY_DO', 'batch-tx-spy', a.ctn<SpyDO>().put('kept', 2)),
        a.lmz.callRaw('SPY_DO', 'batch-tx-spy', a.ctn<SpyDO>().putThenFail('notRolledBack', 3)),
      ]),
    );
    expect(outcomes).toEqual(['error: failed after writing rolledBack', true, 'error: failed after writing notRolledBack']);
    expect(await spyKv('batch-tx-spy', 'rolledBack')).toBeUndefined();
    expect(await spyKv('batch-tx-spy', 'kept')).toBe(2);
    expect(await spyKv('batch-tx-spy', 'notRolledBack')).toBe(3);
    expect((await hopsOf('batch-tx-spy')).batch).toBe(1);
  });

  it('a Worker caller batches its calls to one DO too', async () => {
    const spy = newContinuation<SpyDO>();
    const chains = [1, 2, 3].map((i) => getOperationChain(spy.echo(i))!);
    expect(await meshCall('CORE_WORKER', undefined, newContinuation<CoreWorker>().relayAll('SPY_DO', 'batch-wk-spy', chains))).toEqual([1, 2, 3]);
    expect(await hopsOf('batch-wk-spy')).toEqual({ operation: 0, batch: 1, parked: 0 });
  });

  it('calls to a Worker in one turn still work, one RPC each', async () => {
    const values = await inDO('batch-worker', (a) => Promise.all(Array.from({ length: 8 }, (_, i) => a.lmz.callRaw('CORE_WORKER', undefined, a.ctn<CoreWorker>().echo(i)))));
    expect(values).toEqual(Array.from({ length: 8 }, (_, i) => i));
  });
});
