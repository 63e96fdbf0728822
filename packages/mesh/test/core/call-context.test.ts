/** mesh.md §12 "callContext" (items 40–51). */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { getOperationChain, newContinuation, type NodeIdentity } from '../../src/index.ts';
import type { CoreDO, CoreWorker } from './nodes.ts';
import { decodeCallResult } from '../../src/envelope.ts';
import { envelopeFor, meshCall, rpc, TEST_ORIGIN, waitFor } from './helpers.ts';

const core = () => newContinuation<CoreDO>();
const chainOf = (c: unknown) => getOperationChain(c)!;
const doId = (name: string, binding = 'CORE_DO'): NodeIdentity => ({ type: 'LumenizeDO', bindingName: binding, instanceName: name });
type Snapshot = ReturnType<CoreDO['context']>;

function inDO<R>(name: string, fn: (instance: CoreDO, state: DurableObjectState) => R | Promise<R>) {
  return runInDurableObject(env.CORE_DO.getByName(name), (instance: CoreDO, state) => {
    instance.lmz.init({ bindingName: 'CORE_DO', instanceNameOrId: name });
    return fn(instance, state);
  });
}
/** Sends `remote` with `callChain` as it arrives (no mesh seam in between) and unwraps the answer. */
const decodeCall = async (stub: DurableObjectStub<CoreDO>, remote: unknown, callChain: NodeIdentity[]) =>
  decodeCallResult(await rpc(stub.__executeOperation(envelopeFor('CORE_DO', 'ctx-48-exact', remote, { callChain }))));
const kvOf = (name: string, key: string) => runInDurableObject(env.CORE_DO.getByName(name), (_i, state) => state.storage.kv.get(key));

describe('callContext', () => {
  it('40: a direct call has callChain [caller] with origin === caller', async () => {
    const seen = (await inDO('ctx-40', (a) => a.lmz.callRaw('OTHER_DO', 'ctx-40b', a.ctn<CoreDO>().context()))) as Snapshot;
    expect(seen.callChain).toEqual([doId('ctx-40')]);
    expect(seen.origin).toEqual(doId('ctx-40'));
    expect(seen.caller).toEqual(seen.origin);
    expect(seen.priorCaller).toBeUndefined();
  });

  it('41: A→B→C — C sees [A, B] with caller B and priorCaller A; B sees [A]', async () => {
    const c = (await inDO('ctx-41a', (a) => a.lmz.callRaw('OTHER_DO', 'ctx-41b', a.ctn<CoreDO>().relay('CORE_DO', 'ctx-41c', chainOf(core().context()))))) as Snapshot;
    expect(c.callChain).toEqual([doId('ctx-41a'), doId('ctx-41b', 'OTHER_DO')]);
    expect(c.caller).toEqual(doId('ctx-41b', 'OTHER_DO'));
    expect(c.priorCaller).toEqual(doId('ctx-41a'));
    expect(c.origin).toEqual(doId('ctx-41a'));
    const b = (await inDO('ctx-41a', (a) => a.lmz.callRaw('OTHER_DO', 'ctx-41b', a.ctn<CoreDO>().context()))) as Snapshot;
    expect(b.callChain).toEqual([doId('ctx-41a')]);
  });

  it('42: DO→Worker→DO shows the Worker with type LumenizeWorker and no instanceName', async () => {
    const w = newContinuation<CoreWorker>();
    const seen = (await inDO('ctx-42', (a) => a.lmz.callRaw('CORE_WORKER', undefined, w.relay('CORE_DO', 'ctx-42c', chainOf(core().context()))))) as Snapshot;
    expect(seen.callChain).toEqual([doId('ctx-42'), { type: 'LumenizeWorker', bindingName: 'CORE_WORKER' }]);
    expect('instanceName' in seen.callChain[1]).toBe(false);
  });

  it('43: state set before an outbound call is visible downstream; a fresh chain starts with {}', async () => {
    const seen = (await meshCall('CORE_DO', 'ctx-43', core().relay('OTHER_DO', 'ctx-43b', chainOf(core().context()), undefined, { cart: ['apple'] }))) as Snapshot;
    expect(seen.state).toEqual({ cart: ['apple'] });
    const fresh = (await inDO('ctx-43', (a) => a.lmz.callRaw('OTHER_DO', 'ctx-43b', a.ctn<CoreDO>().context()))) as Snapshot;
    expect(fresh.state).toEqual({});
  });

  it("44: a callee's state changes are invisible to the caller's handler", async () => {
    await meshCall('CORE_DO', 'ctx-44', core().startCall('OTHER_DO', 'ctx-44b', chainOf(core().mutateState()), 'k44', undefined, 'm44'));
    const got = (await waitFor(() => kvOf('ctx-44', 'k44'))) as { outcome: { value: Record<string, unknown> }; context: Snapshot };
    expect(got.outcome.value).toEqual({ marker: 'm44', mutatedByCallee: true });
    expect(got.context.state).toEqual({ marker: 'm44' });
  });

  it('the context is copied at call(): later mutations by the caller reach neither the callee nor the handler', async () => {
    await meshCall('CORE_DO', 'ctx-copy', core().startCallThenMutate('OTHER_DO', 'ctx-copy-b', 'kcopy'));
    const got = (await waitFor(() => kvOf('ctx-copy', 'kcopy'))) as { outcome: { value: Snapshot }; context: Snapshot };
    expect(got.outcome.value.state).toEqual({ marker: 'at-call' });
    expect(got.context.state).toEqual({ marker: 'at-call' });
  });

  it('a DO that knows no name appears in call chains under its id', async () => {
    const id = env.CORE_DO.idFromName('ctx-by-id').toString();
    const seen = (await meshCall('CORE_DO', id, core().relay('OTHER_DO', 'ctx-by-id-b', chainOf(core().context())))) as Snapshot;
    expect(seen.callChain).toEqual([TEST_ORIGIN, { type: 'LumenizeDO', bindingName: 'CORE_DO', instanceName: id }]);
  });

  it('45: concurrent callers see only their own origin; concurrent callRaws keep the handler origin at every await', async () => {
    const [one, two] = (await Promise.all([
      inDO('ctx-45-one', (a) => a.lmz.callRaw('OTHER_DO', 'ctx-45b', a.ctn<CoreDO>().contextAcrossAwait(20))),
      inDO('ctx-45-two', (a) => a.lmz.callRaw('OTHER_DO', 'ctx-45b', a.ctn<CoreDO>().contextAcrossAwait(20))),
    ])) as { before: NodeIdentity; after: NodeIdentity }[];
    expect(one).toEqual({ before: doId('ctx-45-one'), after: doId('ctx-45-one') });
    expect(two).toEqual({ before: doId('ctx-45-two'), after: doId('ctx-45-two') });
    const origins = (await meshCall('CORE_DO', 'ctx-45', core().concurrentRelays('OTHER_DO', ['r1', 'r2', 'r3']))) as NodeIdentity[];
    expect(origins).toHaveLength(7);
    for (const origin of origins) expect(origin).toEqual(TEST_ORIGIN);
  });

  it('46: four interleaved call()s with different state markers each reach a handler that sees its own marker', async () => {
    await Promise.all(
      [1, 2, 3, 4].map((i) => meshCall('CORE_DO', 'ctx-46', core().startCall('OTHER_DO', 'ctx-46b', chainOf(core().slowEcho(i, 20 - i * 3)), `k46-${i}`, undefined, i))),
    );
    for (const i of [1, 2, 3, 4]) {
      const got = (await waitFor(() => kvOf('ctx-46', `k46-${i}`))) as { outcome: { value: number }; context: Snapshot };
      expect(got.outcome.value).toBe(i);
      expect(got.context.state.marker).toBe(i);
      expect(got.context.origin).toEqual(TEST_ORIGIN);
    }
  });

  it('47: newChain gives [self], no originAuth and options.state; otherwise options.state overrides and keeps the rest', async () => {
    const opts = { originAuth: { userId: 'u1', claims: { role: 'editor' } }, state: { a: 1, b: 2 } };
    const fresh = (await meshCall('CORE_DO', 'ctx-47', core().relay('OTHER_DO', 'ctx-47b', chainOf(core().context()), { newChain: true, state: { fresh: true } }), opts)) as Snapshot;
    expect(fresh.callChain).toEqual([doId('ctx-47')]);
    expect(fresh.originAuth).toBeUndefined();
    expect(fresh.state).toEqual({ fresh: true });
    const merged = (await meshCall('CORE_DO', 'ctx-47', core().relay('OTHER_DO', 'ctx-47b', chainOf(core().context()), { state: { b: 3, c: 4 } }), opts)) as Snapshot;
    expect(merged.callChain).toEqual([TEST_ORIGIN, doId('ctx-47')]);
    expect(merged.originAuth).toEqual({ userId: 'u1', claims: { role: 'editor' } });
    expect(merged.state).toEqual({ a: 1, b: 3, c: 4 });
    const empty = (await meshCall('CORE_DO', 'ctx-47', core().relay('OTHER_DO', 'ctx-47b', chainOf(core().context()), { newChain: true }), opts)) as Snapshot;
    expect(empty.state).toEqual({});
  });

  it('48: mutating callChain or originAuth throws, inside a method and inside a result handler', async () => {
    const expected = { push: true, entry: true, origin: true, originAuth: true, claims: true, state: true };
    const auth = { originAuth: { userId: 'u48', claims: { role: 'viewer' } } };
    expect(await meshCall('CORE_DO', 'ctx-48', core().mutationAttempts(), auth)).toEqual(expected);
    // Inside a result handler (no originAuth on a DO-originated chain).
    await inDO('ctx-48h', (a) => a.lmz.call('OTHER_DO', 'ctx-48b', a.ctn<CoreDO>().echo(1), a.ctn().recordMutationAttempts('m48', a.ctn().$result)));
    expect(await waitFor(() => kvOf('ctx-48h', 'm48'))).toEqual({ ...expected, originAuth: 'none', claims: 'none' });
  });

  it('49: a callback made during the callee handler shows [origin, callee] at the original caller', async () => {
    await inDO('ctx-49', (a) => a.lmz.call('OTHER_DO', 'ctx-49b', a.ctn<CoreDO>().callMeBack('cb49')));
    const seen = (await waitFor(() => kvOf('ctx-49', 'cb49'))) as Snapshot;
    expect(seen.callChain).toEqual([doId('ctx-49'), doId('ctx-49b', 'OTHER_DO')]);
    expect(seen.origin).toEqual(doId('ctx-49'));
    expect(seen.caller).toEqual(doId('ctx-49b', 'OTHER_DO'));
  });

  it('50: a ping-pong chain over 100 hops is refused with the newChain hint', async () => {
    expect(await meshCall('CORE_DO', 'pp-a', core().pingPong('OTHER_DO', 'pp-b', 'CORE_DO', 'pp-a', 5))).toBe(6);
    await expect(meshCall('CORE_DO', 'pp-a', core().pingPong('OTHER_DO', 'pp-b', 'CORE_DO', 'pp-a', 150))).rejects.toThrow(
      'Call chain too long (>100); use { newChain: true } for independent work',
    );
    // A callee refuses an envelope whose chain is already over the limit.
    const tooLong = Array.from({ length: 101 }, (_, i) => doId(`n${i}`));
    const stub = env.CORE_DO.getByName('ctx-50');
    await expect(rpc(stub.__executeOperation(envelopeFor('CORE_DO', 'ctx-50', core().setValue('no'), { callChain: tooLong })))).rejects.toThrow('Call chain too long (>100)');
    await runInDurableObject(stub, (_i, state) => expect(state.storage.kv.get('value')).toBeUndefined());
  });

  it('48: a received callChain holds exactly type, bindingName and instanceName per entry, frozen, whatever else arrives', async () => {
    const exact = [TEST_ORIGIN, doId('ctx-48-exact-caller')];
    const padded = [
      { ...TEST_ORIGIN, extra: 'dropped' },
      { type: 'LumenizeDO', bindingName: 'CORE_DO', instanceName: undefined },
    ] as unknown as NodeIdentity[];
    const withMember = Object.assign([TEST_ORIGIN], { extra: 'dropped' });
    const stub = env.CORE_DO.getByName('ctx-48-exact');
    const keys = (chain: NodeIdentity[]) => chain.map((e) => Object.keys(e).sort());
    const seenExact = (await decodeCall(stub, core().context(), exact)) as Snapshot;
    expect(seenExact.callChain).toEqual(exact);
    expect(keys(seenExact.callChain)).toEqual([['bindingName', 'type'], ['bindingName', 'instanceName', 'type']]);
    const seenPadded = (await decodeCall(stub, core().context(), padded)) as Snapshot;
    expect(keys(seenPadded.callChain)).toEqual([['bindingName', 'type'], ['bindingName', 'type']]);
    expect(seenPadded.caller).toEqual({ type: 'LumenizeDO', bindingName: 'CORE_DO' });
    const seenMember = (await decodeCall(stub, core().context(), withMember)) as Snapshot;
    expect(Object.keys(seenMember.callChain)).toEqual(['0']);
    for (const chain of [exact, padded, withMember]) {
      expect(await decodeCall(stub, core().mutationAttempts(), chain)).toMatchObject({ push: true, entry: true, origin: true, state: true });
    }
  });

  it('51: reading callContext from fetch or outside any call throws the specified message', async () => {
    const res = await env.CORE_DO.getByName('ctx-51').fetch('https://mesh.test/call-context');
    expect(res.status).toBe(409);
    expect(await res.text()).toBe('Cannot access callContext outside of a mesh call');
    await runInDurableObject(env.CORE_DO.getByName('ctx-51'), (a: CoreDO) => {
      expect(() => a.lmz.callContext).toThrow('Cannot access callContext outside of a mesh call');
    });
    // The client-side read is covered with LumenizeClient (@lumenize/mesh/client).
  });
});
