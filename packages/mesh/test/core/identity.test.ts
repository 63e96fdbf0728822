/** mesh.md §12 "Identity and LumenizeDO" (items 1–9). */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { newContinuation } from '../../src/index.ts';
import type { CoreDO, CoreWorker, CountingPlainDO, CountingStartDO, PlainDO, StartDO } from './nodes.ts';
import { envelopeFor, meshCall, rpc } from './helpers.ts';
import { logsOf, mark } from './logs.ts';

const HEX64 = /^[0-9a-f]{64}$/;
const routed = (binding?: string, instance?: string) => {
  const headers = new Headers();
  if (binding) headers.set('X-Lumenize-DO-Binding-Name', binding);
  if (instance) headers.set('X-Lumenize-DO-Instance-Name-Or-Id', instance);
  return new Request('https://mesh.test/', { headers });
};
const storedIdentity = (state: DurableObjectState) => ({
  binding: state.storage.kv.get('__lmz_do_binding_name'),
  instance: state.storage.kv.get('__lmz_do_instance_name'),
});

describe('Identity and LumenizeDO', () => {
  it('1: a DO reached first by a mesh call knows nothing before and the envelope identity after', async () => {
    const stub = env.CORE_DO.getByName('identity-1');
    await runInDurableObject(stub, (instance: CoreDO) => {
      expect(instance.lmz.bindingName).toBeUndefined();
      expect(instance.lmz.instanceNameOrId).toMatch(HEX64);
    });
    expect(await meshCall('CORE_DO', 'identity-1', newContinuation<CoreDO>().identity())).toMatchObject({ bindingName: 'CORE_DO', instanceName: 'identity-1', instanceNameOrId: 'identity-1' });
    await runInDurableObject(stub, (instance: CoreDO, state) => {
      expect(instance.lmz.bindingName).toBe('CORE_DO');
      expect(instance.lmz.instanceName).toBe('identity-1');
      expect(storedIdentity(state)).toEqual({ binding: 'CORE_DO', instance: 'identity-1' });
    });
  });

  it('2: default fetch stores both routing headers and answers 501; without headers it stores nothing', async () => {
    const stub = env.CORE_DO.getByName('identity-2');
    const res = await stub.fetch(routed('CORE_DO', 'identity-2'));
    expect(res.status).toBe(501);
    await runInDurableObject(stub, (_i, state) => expect(storedIdentity(state)).toEqual({ binding: 'CORE_DO', instance: 'identity-2' }));
    const bare = env.CORE_DO.getByName('identity-2b');
    expect((await bare.fetch(routed())).status).toBe(501);
    await runInDurableObject(bare, (_i, state) => expect(storedIdentity(state)).toEqual({ binding: undefined, instance: undefined }));
  });

  it('3: a second fetch with a different binding or instance header answers 500 naming both values; nothing changes', async () => {
    const stub = env.CORE_DO.getByName('identity-3');
    await stub.fetch(routed('CORE_DO', 'identity-3'));
    const wrongBinding = await stub.fetch(routed('OTHER_DO', 'identity-3'));
    expect(wrongBinding.status).toBe(500);
    const text = await wrongBinding.text();
    expect(text).toContain("'CORE_DO'");
    expect(text).toContain("'OTHER_DO'");
    const wrongInstance = await stub.fetch(routed('CORE_DO', 'someone-else'));
    expect(wrongInstance.status).toBe(500);
    expect(await wrongInstance.text()).toBe("DO instance name mismatch: stored 'identity-3' but received 'someone-else'");
    await runInDurableObject(stub, (_i, state) => expect(storedIdentity(state)).toEqual({ binding: 'CORE_DO', instance: 'identity-3' }));
    // The same mismatch arriving in an envelope rejects the RPC and changes nothing.
    const envelope = envelopeFor('CORE_DO', 'not-identity-3', newContinuation<CoreDO>().setValue('never'));
    await expect(rpc(stub.__executeOperation(envelope))).rejects.toThrow("DO instance name mismatch: stored 'identity-3' but received 'not-identity-3'");
    await runInDurableObject(stub, (_i, state) => expect(state.storage.kv.get('value')).toBeUndefined());
    await runInDurableObject(stub, (instance: CoreDO) => {
      expect(() => (instance.lmz.instanceName = 'other')).toThrow("DO instance name mismatch: stored 'identity-3' but received 'other'");
    });
  });

  it('4: setting a different bindingName throws; the same value twice succeeds; undefined never clears', async () => {
    await runInDurableObject(env.CORE_DO.getByName('identity-4'), (instance: CoreDO, state) => {
      instance.lmz.bindingName = 'A';
      instance.lmz.bindingName = 'A';
      expect(() => (instance.lmz.bindingName = 'B')).toThrow("DO binding name mismatch: stored 'A' but received 'B'");
      instance.lmz.bindingName = undefined;
      expect(instance.lmz.bindingName).toBe('A');
      expect(state.storage.kv.get('__lmz_do_binding_name')).toBe('A');
    });
  });

  it('5: lmz.id is ctx.id; assigning it throws; instanceNameOrId accepts the own id without storing and refuses another id', async () => {
    await runInDurableObject(env.CORE_DO.getByName('identity-5'), (instance: CoreDO, state) => {
      expect(instance.lmz.id).toBe(state.id.toString());
      expect(() => (instance.lmz.id = 'x')).toThrow("Cannot set DO id - it's read-only");
      instance.lmz.instanceNameOrId = state.id.toString();
      expect(instance.lmz.instanceName).toBeUndefined();
      expect(state.storage.kv.get('__lmz_do_instance_name')).toBeUndefined();
      const otherId = env.CORE_DO.idFromName('someone-else').toString();
      expect(() => (instance.lmz.instanceNameOrId = otherId)).toThrow('DO instance ID mismatch');
      instance.lmz.init({ bindingName: 'CORE_DO', instanceNameOrId: 'identity-5' });
      expect(instance.lmz.instanceNameOrId).toBe('identity-5');
    });
  });

  it('6: lmz.type per node; Worker instanceName, id and instanceNameOrId stay undefined after assignment', async () => {
    await runInDurableObject(env.CORE_DO.getByName('identity-6'), (instance: CoreDO) => expect(instance.lmz.type).toBe('LumenizeDO'));
    const worker = env.CORE_WORKER as unknown as CoreWorker;
    expect(await worker.identityAfterAssignments()).toEqual({
      type: 'LumenizeWorker',
      instanceName: undefined,
      id: undefined,
      instanceNameOrId: undefined,
      mismatch: "Worker binding name mismatch: stored 'CORE_WORKER' but received 'OTHER'",
    });
    // The client's type lives in @lumenize/mesh/client (LumenizeClient tests).
  });

  it('7: onStart has the table ready for three concurrent first requests; a DO without onStart answers three concurrent first calls', async () => {
    const insert = (v: string) => meshCall('START_DO', 'identity-7', newContinuation<StartDO>().insert(v));
    const counts = await Promise.all([insert('a'), insert('b'), insert('c')]);
    expect([...counts].sort()).toEqual([1, 2, 3]);
    await runInDurableObject(env.START_DO.getByName('identity-7'), (_i, state) => expect(state.storage.kv.get('startedWithTable')).toBe('items'));
    const ping = (n: number) => meshCall('PLAIN_DO', 'identity-7', newContinuation<PlainDO>().ping(n));
    expect(await Promise.all([ping(1), ping(2), ping(3)])).toEqual([1, 2, 3]);
  });

  it('blockConcurrencyWhile is used only when onStart is overridden; onStart sees subclass fields', async () => {
    expect(await meshCall('COUNTING_PLAIN_DO', 'bcw', newContinuation<CountingPlainDO>().ping())).toBe(0);
    expect(await meshCall('COUNTING_START_DO', 'bcw', newContinuation<CountingStartDO>().ping())).toBe(1);
    await runInDurableObject(env.COUNTING_START_DO.getByName('bcw'), (_i, state) => expect(state.storage.kv.get('sawField')).toBe('field initialized'));
  });

  it('8: an onStart failure rejects the first call and logs at error level', async () => {
    const since = mark();
    await expect(meshCall('FAILING_START_DO', 'identity-8', newContinuation<{ ping(): string }>().ping())).rejects.toThrow('onStart exploded');
    const logged = logsOf('lmz.mesh.LumenizeDO.onStart', 'error', since);
    expect(logged.length).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(logged[0].data)).toContain('onStart exploded');
  });

  it('9: call() with no known binding throws; callRaw() rejects with the same message', async () => {
    await runInDurableObject(env.CORE_DO.getByName('identity-9'), async (instance: CoreDO) => {
      const remote = instance.ctn<CoreDO>().echo(1);
      const expected = 'Cannot make mesh calls: this node does not know its own binding name';
      expect(() => instance.lmz.call('CORE_DO', 'x', remote)).toThrow(expected);
      await expect(instance.lmz.callRaw('CORE_DO', 'x', remote)).rejects.toThrow(expected);
      expect(() => instance.lmz.call('CORE_DO', 'x', remote)).toThrow('this.lmz.init({ bindingName })');
    });
  });
});
