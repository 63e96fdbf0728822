/** mesh.md §12 "Calls and handlers" (items 10–22) and the caller-side bad inputs of §10. */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { getOperationChain, newContinuation, type CallEnvelope } from '../../src/index.ts';
import type { CoreDO, CoreWorker, SpyDO } from './nodes.ts';
import { envelopeFor, meshCall, rpc, waitFor } from './helpers.ts';
import { logsOf, mark } from './logs.ts';

const core = () => newContinuation<CoreDO>();
const chainOf = (c: unknown) => getOperationChain(c)!;

/** Runs `fn` inside DO `name` of CORE_DO with its identity initialized. */
function inDO<R>(name: string, fn: (instance: CoreDO, state: DurableObjectState) => R | Promise<R>, binding: 'CORE_DO' | 'SPY_DO' = 'CORE_DO') {
  return runInDurableObject(env[binding].getByName(name), (instance: CoreDO, state) => {
    instance.lmz.init({ bindingName: binding, instanceNameOrId: name });
    return fn(instance, state);
  });
}
const kvOf = (name: string, key: string) => runInDurableObject(env.CORE_DO.getByName(name), (_i, state) => state.storage.kv.get(key));

describe('Calls and handlers', () => {
  it('10: callRaw works DO→DO, DO→Worker, Worker→DO and Worker→Worker', async () => {
    const echo = chainOf(core().echo('hi'));
    expect(await meshCall('CORE_DO', 'calls-10', core().relay('OTHER_DO', 'calls-10b', echo))).toBe('hi');
    expect(await meshCall('CORE_DO', 'calls-10', core().relay('CORE_WORKER', undefined, echo))).toBe('hi');
    const w = newContinuation<CoreWorker>();
    expect(await meshCall('CORE_WORKER', undefined, w.relay('CORE_DO', 'calls-10c', echo))).toBe('hi');
    expect(await meshCall('CORE_WORKER', undefined, w.relay('OTHER_WORKER', undefined, echo))).toBe('hi');
    // And from inside a DO directly.
    expect(await inDO('calls-10d', (a) => a.lmz.callRaw('OTHER_DO', 'calls-10e', a.ctn<CoreDO>().add(2, 3)))).toBe(5);
  });

  it('11: call() returns undefined synchronously; the handler stores the echo later via $result', async () => {
    await inDO('calls-11', (a, state) => {
      const returned: unknown = a.lmz.call('OTHER_DO', 'calls-11b', a.ctn<CoreDO>().echo('x'), a.ctn().store('echo', a.ctn().$result));
      expect(returned).toBeUndefined();
      expect(state.storage.kv.get('echo')).toBeUndefined();
    });
    expect(await waitFor(() => kvOf('calls-11', 'echo'), 'echo')).toBe('x');
  });

  it('12: $result in the middle receives the value; other arguments keep their literals', async () => {
    await inDO('calls-12', (a) => a.lmz.call('OTHER_DO', 'calls-12b', a.ctn<CoreDO>().add(20, 22), a.ctn().recordMiddle('mid', a.ctn().$result, 'tail')));
    expect(await waitFor(() => kvOf('calls-12', 'mid'))).toEqual({ first: 'mid', outcome: { isError: false, value: 42 }, tail: 'tail' });
  });

  it('13: a handler without a placeholder receives the result as its last argument', async () => {
    await inDO('calls-13', (a) => a.lmz.call('OTHER_DO', 'calls-13b', a.ctn<CoreDO>().echo({ deep: [1] }), a.ctn().store('last')));
    expect(await waitFor(() => kvOf('calls-13', 'last'))).toEqual({ deep: [1] });
  });

  it('14: a remote Error reaches the handler as an Error; a registered subclass keeps instanceof and its property', async () => {
    await inDO('calls-14', (a) => {
      a.lmz.call('OTHER_DO', 'calls-14b', a.ctn<CoreDO>().fail('boom'), a.ctn().recordOutcome('plain', a.ctn().$result));
      a.lmz.call('OTHER_DO', 'calls-14b', a.ctn<CoreDO>().failCustom(42), a.ctn().recordOutcome('custom', a.ctn().$result));
    });
    expect(await waitFor(() => kvOf('calls-14', 'plain'))).toMatchObject({ outcome: { isError: true, name: 'Error', message: 'boom' } });
    expect(await waitFor(() => kvOf('calls-14', 'custom'))).toMatchObject({
      outcome: { isError: true, name: 'InsufficientFundsError', isInsufficientFunds: true, balance: 42 },
    });
  });

  it("15: a remote throw 'text' reaches the handler as an Error containing the text", async () => {
    await inDO('calls-15', (a) => a.lmz.call('OTHER_DO', 'calls-15b', a.ctn<CoreDO>().failWithString('text thrown'), a.ctn().recordOutcome('s', a.ctn().$result)));
    const got = (await waitFor(() => kvOf('calls-15', 's'))) as { outcome: { isError: boolean; message: string } };
    expect(got.outcome.isError).toBe(true);
    expect(got.outcome.message).toContain('text thrown');
  });

  it('16: a handler that throws runs exactly once and logs one error', async () => {
    const since = mark();
    await inDO('calls-16', (a) => a.lmz.call('OTHER_DO', 'calls-16b', a.ctn<CoreDO>().echo(1), a.ctn().throwingHandler('count', a.ctn().$result)));
    expect(await waitFor(() => kvOf('calls-16', 'count'))).toBe(1);
    // A barrier instead of a sleep: a later call on the same path, whose handler has run, proves the
    // first handler was not re-invoked in between.
    await inDO('calls-16', (a) => a.lmz.call('OTHER_DO', 'calls-16b', a.ctn<CoreDO>().echo(2), a.ctn().store('barrier', a.ctn().$result)));
    await waitFor(() => kvOf('calls-16', 'barrier'), 'the barrier handler');
    expect(await kvOf('calls-16', 'count')).toBe(1);
    const errors = logsOf('lmz.mesh.LumenizeDO.resultHandler', 'error', since);
    expect(errors).toHaveLength(1);
    expect(JSON.stringify(errors[0].data)).toContain('handler count failed');
  });

  it('17: {} as remote or handler throws Invalid remoteContinuation / Invalid handlerContinuation', async () => {
    await inDO('calls-17', async (a) => {
      const fake = {} as ReturnType<CoreDO['ctn']>;
      expect(() => a.lmz.call('OTHER_DO', 'x', fake)).toThrow('Invalid remoteContinuation: must be created with this.ctn()');
      expect(() => a.lmz.call('OTHER_DO', 'x', a.ctn<CoreDO>().echo(1), fake)).toThrow('Invalid handlerContinuation: must be created with this.ctn()');
      await expect(a.lmz.callRaw('OTHER_DO', 'x', fake)).rejects.toThrow('Invalid remoteContinuation');
    });
  });

  it('18: unknown binding, an instance for a service, or no instance for a DO namespace throw naming the binding', async () => {
    await inDO('calls-18', (a) => {
      const remote = a.ctn<CoreDO>().echo(1);
      expect(() => a.lmz.call('NOPE', 'x', remote)).toThrow("Unknown binding 'NOPE'");
      expect(() => a.lmz.call('CORE_WORKER', 'x', remote)).toThrow("Binding 'CORE_WORKER' is a service binding");
      expect(() => a.lmz.call('OTHER_DO', undefined, remote)).toThrow("Binding 'OTHER_DO' is a Durable Object namespace: pass an instance name or id");
      expect(() => a.lmz.call('DEBUG', undefined, remote)).toThrow("Binding 'DEBUG' is neither a Durable Object namespace nor a service binding");
    });
  });

  it('19: a function (or symbol) argument makes call() throw and the callee receives nothing', async () => {
    await inDO('calls-19', (a) => {
      expect(() => a.lmz.call('SPY_DO', 'calls-19-spy', a.ctn<CoreDO>().echo(() => 1))).toThrow('Cannot send a function');
      expect(() => a.lmz.call('SPY_DO', 'calls-19-spy', a.ctn<CoreDO>().echo({ nested: [Symbol('s')] }))).toThrow('Cannot send a symbol');
      expect(() => a.lmz.call('SPY_DO', 'calls-19-spy', a.ctn<CoreDO>().echo(a.ctn().$result))).toThrow('$result placeholder is only valid in a handler');
    });
    // call() threw before sending: the spy, asked afterwards, has seen no envelope.
    await runInDurableObject(env.SPY_DO.getByName('calls-19-spy'), (_i, state) => expect(state.storage.kv.get('envelopes')).toBeUndefined());
  });

  it('20: the callee receives version 1, a serialized chain, callContext and metadata caller/callee', async () => {
    expect(await inDO('calls-20', (a) => a.lmz.callRaw('SPY_DO', 'calls-20-spy', a.ctn<SpyDO>().echo('e')))).toBe('e');
    const [envelope] = await runInDurableObject(env.SPY_DO.getByName('calls-20-spy'), (_i, state) => state.storage.kv.get<CallEnvelope[]>('envelopes')!);
    expect(envelope.version).toBe(1);
    // A node sends the compact chain as its JSON text (one string over RPC; compact-chain.test.ts).
    expect(envelope.chain).toBe('[0,[["echo",["e"]]]]');
    expect(envelope.callContext).toEqual({ callChain: [{ type: 'LumenizeDO', bindingName: 'CORE_DO', instanceName: 'calls-20' }], state: {} });
    expect(envelope.metadata).toEqual({
      caller: { type: 'LumenizeDO', bindingName: 'CORE_DO', instanceNameOrId: 'calls-20' },
      callee: { type: 'LumenizeDO', bindingName: 'SPY_DO', instanceNameOrId: 'calls-20-spy' },
    });
  });

  it('21: version missing, 0 or 2 rejects; a missing callContext rejects; nothing runs', async () => {
    const stub = env.CORE_DO.getByName('calls-21');
    const good = envelopeFor('CORE_DO', 'calls-21', core().setValue('should not be stored'));
    for (const version of [undefined, 0, 2]) {
      await expect(rpc(stub.__executeOperation({ ...good, version } as unknown as CallEnvelope))).rejects.toThrow(`Unsupported RPC envelope version: ${version}`);
    }
    const { callContext: _dropped, ...noContext } = good;
    await expect(rpc(stub.__executeOperation(noContext as unknown as CallEnvelope))).rejects.toThrow('Missing callContext in envelope');
    await expect(rpc(stub.__executeOperation({ ...good, callContext: { callChain: [], state: {} } }))).rejects.toThrow('callChain must be a non-empty array');
    await expect(rpc(stub.__executeOperation({ ...good, chain: 'x' } as unknown as CallEnvelope))).rejects.toThrow('chain must be a serialized operation chain');
    await runInDurableObject(stub, (_i, state) => expect(state.storage.kv.get('value')).toBeUndefined());
  });

  it("22: a Worker's fire-and-forget call() completes its handler after the Worker method returned", async () => {
    const w = newContinuation<CoreWorker>();
    expect(await meshCall('CORE_WORKER', undefined, w.fireAndForget('CORE_DO', 'calls-22', 'w22', 'payload'))).toBe('returned');
    expect(await kvOf('calls-22', 'w22')).toBeUndefined();
    expect(await waitFor(() => kvOf('calls-22', 'w22'), 'worker handler')).toEqual({ handledByWorker: 'payload' });
  });

  it('a result that cannot be serialized fails naming the method; a method name that is missing fails like a non-mesh one', async () => {
    await expect(meshCall('CORE_DO', 'calls-x', core().unserializableResult())).rejects.toThrow("The result of 'unserializableResult' could not be serialized");
  });

  it('option combinations are checked at call()', async () => {
    await inDO('calls-opts', async (a) => {
      const remote = a.ctn<CoreDO>().echo(1);
      expect(() => a.lmz.call('OTHER_DO', 'x', remote, undefined, { handlerTransaction: true })).toThrow('handlerTransaction requires a handler continuation');
      await expect(a.lmz.callRaw('OTHER_DO', 'x', remote, { exclusive: true })).rejects.toThrow('callRaw runs no handler');
      expect(() => a.lmz.call('OTHER_DO', 'x', remote, undefined, { newChain: 'yes' as unknown as boolean })).toThrow('Invalid options.newChain');
      expect(() => a.lmz.call('OTHER_DO', 'x', remote, a.ctn().localOnly(a.ctn().$result))).toThrow("'localOnly' is @local");
    });
    const w = newContinuation<CoreWorker>();
    // Worker callers cannot ask for DO-only caller options (checked inside the Worker's call()).
    expect(await meshCall('CORE_WORKER', undefined, w.tryDoOnlyOptions())).toEqual({
      exclusive: 'exclusive requires a LumenizeDO caller',
      handlerTransaction: 'handlerTransaction requires a LumenizeDO caller',
      none: 'accepted',
    });
    // The plain relay still works from a Worker.
    await expect(meshCall('CORE_WORKER', undefined, w.relay('CORE_DO', 'x', getOperationChain(core().echo(1))!))).resolves.toBe(1);
  });
});
