/**
 * Backlog items for the core (mesh.md §9 items 1, 2, 4, 5, 6; §12 items 23, 95, 96, 97): `using` for
 * every stub through one observable seam, transactions, exclusive calls and atomic batches.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { getOperationChain, newContinuation, type LumenizeDO } from '../../src/index.ts';
import type { BankDO, CoreDO, CoreWorker } from './nodes.ts';
import { meshCall, waitFor } from './helpers.ts';
import { logsOf, mark } from './logs.ts';

function inDO<R>(name: string, fn: (instance: CoreDO, state: DurableObjectState) => R | Promise<R>) {
  return runInDurableObject(env.CORE_DO.getByName(name), (instance: CoreDO, state) => {
    instance.lmz.init({ bindingName: 'CORE_DO', instanceNameOrId: name });
    return fn(instance, state);
  });
}
const kvOf = (name: string, key: string) => runInDurableObject(env.CORE_DO.getByName(name), (_i, state) => state.storage.kv.get(key));
const balanceOf = (name: string, account: string) => meshCall('BANK_DO', name, newContinuation<BankDO>().balance(account));

describe('stubs: one observable seam, each stub disposed exactly once', () => {
  it('23: every stub acquired for a call is disposed exactly once (DO, Worker, success, remote error, handler, fire-and-forget)', async () => {
    const since = mark();
    const core = newContinuation<CoreDO>();
    const echo = getOperationChain(core.echo('s'))!;
    await meshCall('CORE_DO', 'stub-23', core.relay('OTHER_DO', 'stub-23b', echo));
    await meshCall('CORE_DO', 'stub-23', core.relay('CORE_WORKER', undefined, echo));
    await expect(meshCall('CORE_DO', 'stub-23', core.relay('OTHER_DO', 'stub-23b', getOperationChain(core.fail('x'))!))).rejects.toThrow('x');
    await meshCall('CORE_WORKER', undefined, newContinuation<CoreWorker>().fireAndForget('CORE_DO', 'stub-23', 'ff', 1));
    await inDO('stub-23', (a) => {
      a.lmz.call('OTHER_DO', 'stub-23b', a.ctn<CoreDO>().echo(1), a.ctn().store('h1', a.ctn().$result));
      a.lmz.call('OTHER_DO', 'stub-23b', a.ctn<CoreDO>().fail('no'), a.ctn().store('h2', a.ctn().$result));
      a.lmz.call('OTHER_DO', 'stub-23b', a.ctn<CoreDO>().echo(2));
    });
    await waitFor(() => kvOf('stub-23', 'ff'), 'worker fire-and-forget');
    await waitFor(() => kvOf('stub-23', 'h2'), 'handlers');
    // Disposal follows each RPC's settlement: wait until every acquired stub was disposed.
    const count = (message: string) => logsOf('lmz.mesh.getMeshStub', 'debug', since).filter((r) => r.message === message).length;
    await waitFor(() => (count('stub disposed') >= count('stub acquired') && count('stub acquired') >= 4 ? true : undefined), 'every stub disposed');
    const acquired = logsOf('lmz.mesh.getMeshStub', 'debug', since).filter((r) => r.message === 'stub acquired');
    const disposed = logsOf('lmz.mesh.getMeshStub', 'debug', since).filter((r) => r.message === 'stub disposed');
    const ids = (rs: typeof acquired) => rs.map((r) => (r.data as { stubId: number }).stubId);
    // 4 meshCalls from the test + 3 relayed by CoreDO + 2 made by the Worker + 1 for the 3 call()s
    // (made in one turn to one DO, they share one stub and one RPC: do-batching.test.ts).
    expect(acquired).toHaveLength(10);
    expect(ids(disposed).sort((x, y) => x - y)).toEqual(ids(acquired).sort((x, y) => x - y));
    expect(new Set(ids(disposed)).size).toBe(disposed.length);
  });
});

describe('no floating RPC promise', () => {
  it('a failing call() without a handler is logged at warn and leaves no unhandled rejection', async () => {
    const since = mark();
    await inDO('float-1', (a) => a.lmz.call('OTHER_DO', 'float-1b', a.ctn<CoreDO>().fail('nobody listens')));
    const warned = await waitFor(() => logsOf('lmz.mesh.LumenizeDO.call', 'warn', since)[0], 'warn log');
    expect(warned).toMatchObject({ message: 'call failed (no handler)', data: { binding: 'OTHER_DO', method: 'fail' } });
  });
});

describe('ctnBatch (item 95)', () => {
  it('applies every entry and returns their results', async () => {
    const result = await inDO('batch-caller', (a) => {
      const bank = a.ctn<BankDO>();
      return a.lmz.callRaw('BANK_DO', 'batch-ok', a.ctnBatch([bank.debit('alice', 10), bank.credit('bob', 10)]));
    });
    expect(result).toEqual([90, 110]);
    expect(await balanceOf('batch-ok', 'alice')).toBe(90);
  });

  it('rolls back the debit when the credit throws, naming index 1', async () => {
    await expect(
      inDO('batch-caller', (a) => {
        const bank = a.ctn<BankDO>();
        return a.lmz.callRaw('BANK_DO', 'batch-fail', a.ctnBatch([bank.debit('alice', 10), bank.credit('bob', -1)]));
      }),
    ).rejects.toThrow('Batch entry 1 failed: credit amount must be positive');
    expect(await balanceOf('batch-fail', 'alice')).toBe(100);
    expect(await balanceOf('batch-fail', 'bob')).toBe(100);
  });

  it('fails with the synchronous-execution error when an entry is async, writing nothing', async () => {
    await expect(
      inDO('batch-caller', (a) => {
        const bank = a.ctn<BankDO>();
        return a.lmz.callRaw('BANK_DO', 'batch-async', a.ctnBatch([bank.debit('alice', 10), bank.asyncCredit('bob', 10)]));
      }),
    ).rejects.toThrow('Transactional execution must be synchronous');
    // The balance reads are later events on the callee: nothing of the refused batch can land after them.
    expect(await balanceOf('batch-async', 'alice')).toBe(100);
    expect(await balanceOf('batch-async', 'bob')).toBe(100);
  });

  it('each entry is an entry point (non-@mesh refused); a batch to a Worker is refused; a batch reaches a handler via call()', async () => {
    await expect(
      inDO('batch-caller', (a) => a.lmz.callRaw('BANK_DO', 'batch-guard', a.ctnBatch([a.ctn<BankDO>().debit('alice', 1), a.ctn<CoreDO>().store('x', 1)]))),
    ).rejects.toThrow("Batch entry 1 failed: Method 'store' is not mesh-callable");
    expect(await balanceOf('batch-guard', 'alice')).toBe(100);
    await expect(inDO('batch-caller', (a) => a.lmz.callRaw('CORE_WORKER', undefined, a.ctnBatch([a.ctn<CoreWorker>().echo(1)])))).rejects.toThrow(
      'Batches require a LumenizeDO callee',
    );
    await inDO('batch-caller', (a) => {
      const bank = a.ctn<BankDO>();
      a.lmz.call('BANK_DO', 'batch-call', a.ctnBatch([bank.credit('carol', 1), bank.balance('carol')]), a.ctn().store('batchResult', a.ctn().$result));
    });
    expect(await waitFor(() => kvOf('batch-caller', 'batchResult'))).toEqual([101, 101]);
    await expect(inDO('batch-caller', (a) => a.ctnBatch([]))).rejects.toThrow('expected a non-empty array of continuations');
    await expect(inDO('batch-caller', (a) => a.ctnBatch([{} as ReturnType<CoreDO['ctn']>]))).rejects.toThrow('entry 0 is not a continuation');
  });
});

describe('transactions (item 96)', () => {
  it('transaction: true on a DO callee rolls back writes made before a throw', async () => {
    const bank = newContinuation<BankDO>();
    await expect(inDO('tx-caller', (a) => a.lmz.callRaw('BANK_DO', 'tx-1', bank.debitThenFail('alice', 10), { transaction: true }))).rejects.toThrow(
      'failed after debit',
    );
    expect(await balanceOf('tx-1', 'alice')).toBe(100);
    // Control: without the flag the write before the throw stays.
    await expect(inDO('tx-caller', (a) => a.lmz.callRaw('BANK_DO', 'tx-2', bank.debitThenFail('alice', 10)))).rejects.toThrow('failed after debit');
    expect(await balanceOf('tx-2', 'alice')).toBe(90);
    // Async methods cannot run transactionally; Workers refuse transactions.
    await expect(inDO('tx-caller', (a) => a.lmz.callRaw('BANK_DO', 'tx-3', bank.asyncCredit('bob', 5), { transaction: true }))).rejects.toThrow(
      'Transactional execution must be synchronous',
    );
    expect(await balanceOf('tx-3', 'bob')).toBe(100);
    await expect(inDO('tx-caller', (a) => a.lmz.callRaw('CORE_WORKER', undefined, a.ctn<CoreWorker>().echo(1), { transaction: true }))).rejects.toThrow(
      'transaction requires a LumenizeDO callee',
    );
  });

  it('handlerTransaction: true rolls back a throwing handler', async () => {
    const since = mark();
    await inDO('tx-handler', (a) => {
      a.lmz.call('OTHER_DO', 'tx-handler-b', a.ctn<CoreDO>().echo(1), a.ctn().writeThenThrow('rolledBack', a.ctn().$result), { handlerTransaction: true });
      a.lmz.call('OTHER_DO', 'tx-handler-b', a.ctn<CoreDO>().echo(1), a.ctn().writeThenThrow('kept', a.ctn().$result));
    });
    await waitFor(() => (logsOf('lmz.mesh.LumenizeDO.resultHandler', 'error', since).length >= 2 ? true : undefined), 'both handlers');
    expect(await kvOf('tx-handler', 'rolledBack')).toBeUndefined();
    expect(await kvOf('tx-handler', 'kept')).toBe('written');
  });
});

describe('exclusive (item 97)', () => {
  it('with exclusive: true a second request waits until the handler has finished; without it, it runs first', async () => {
    await inDO('ex-1', (a) => {
      a.lmz.call('OTHER_DO', 'ex-b', a.ctn<CoreDO>().slowEcho('x', 50), a.ctn().recordOrder('handler'), { exclusive: true });
    });
    await inDO('ex-1', (a) => a.recordOrder('second'));
    await waitFor(() => ((kvOf('ex-1', 'order') as Promise<string[] | undefined>).then((o) => (o && o.length === 2 ? o : undefined))));
    expect(await kvOf('ex-1', 'order')).toEqual(['handler', 'second']);

    await inDO('ex-2', (a) => {
      a.lmz.call('OTHER_DO', 'ex-b', a.ctn<CoreDO>().slowEcho('x', 50), a.ctn().recordOrder('handler'));
    });
    await inDO('ex-2', (a) => a.recordOrder('second'));
    await waitFor(() => ((kvOf('ex-2', 'order') as Promise<string[] | undefined>).then((o) => (o && o.length === 2 ? o : undefined))));
    expect(await kvOf('ex-2', 'order')).toEqual(['second', 'handler']);
  });

  it('past the cap the handler gets a timeout error, the block is released, and the late result is logged and dropped', async () => {
    const since = mark();
    await inDO('ex-cap', (a) => {
      (a.constructor as typeof LumenizeDO).exclusiveCapMs = 20;
      try {
        a.lmz.call('OTHER_DO', 'ex-cap-b', a.ctn<CoreDO>().slowEcho('late', 300), a.ctn().put('outcome', a.ctn().$result), { exclusive: true });
      } finally {
        (a.constructor as typeof LumenizeDO).exclusiveCapMs = 25_000;
      }
    });
    const outcome = await waitFor(() => kvOf('ex-cap', 'outcome'), 'the handler outcome');
    expect(outcome).toBeInstanceOf(Error);
    expect((outcome as Error).message).toBe("Exclusive call to 'slowEcho' timed out after 20 ms; the block was released");
    // The block was released: the object answers while the remote call is still running.
    await inDO('ex-cap', (a) => a.recordOrder('after-cap'));
    expect(await kvOf('ex-cap', 'order')).toEqual(['after-cap']);
    await waitFor(() => (logsOf('lmz.mesh.LumenizeDO.resultHandler', 'warn', since).some((r) => r.message === 'late result after exclusive timeout dropped') ? true : undefined), 'the late-result warning');
    expect(await kvOf('ex-cap', 'outcome')).toBeInstanceOf(Error);
  });

  it('exclusive and handlerTransaction are DO-only caller options', async () => {
    // A Worker caller refuses them synchronously inside its own call(); nothing is sent.
    const w = newContinuation<CoreWorker>();
    const refused = (await meshCall('CORE_WORKER', undefined, w.tryDoOnlyOptions())) as Record<string, string>;
    expect(refused.exclusive).toBe('exclusive requires a LumenizeDO caller');
    expect(refused.handlerTransaction).toBe('handlerTransaction requires a LumenizeDO caller');
    expect(refused.none).toBe('accepted');
    await runInDurableObject(env.CORE_DO.getByName('never-called'), (_i, state) => {
      expect(state.storage.kv.get('k')).toBeUndefined();
    });
  });
});
