/** mesh.md §12 "Security" (items 30–39) and the §10 rows for refused chains. */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { decodeOperationChain, LumenizeDO, local, mesh, newContinuation, result, type OperationChain } from '../../src/index.ts';
import { ForbiddenError } from './errors.ts';
import type { AlarmDO, CoreDO, GuardedDO } from './nodes.ts';
import { meshCall, rpc, waitFor } from './helpers.ts';

const g = () => newContinuation<GuardedDO>();
const admin = { state: { role: 'admin' } };
const errorOf = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as Error);
const kv = (binding: 'GUARDED_DO' | 'CORE_DO' | 'ALARM_DO', name: string, key: string) =>
  runInDurableObject(env[binding].getByName(name), (_i, state) => state.storage.kv.get(key));
const userKeys = (binding: 'GUARDED_DO' | 'CORE_DO', name: string) =>
  runInDurableObject(env[binding].getByName(name), (_i, state) => [...state.storage.kv.list()].map(([k]) => k).filter((k) => !k.startsWith('__lmz_do_')));

describe('Security', () => {
  it('30: a method without @mesh and a nonexistent method give the identical not-mesh-callable error', async () => {
    const hidden = await errorOf(meshCall('GUARDED_DO', 'sec-30', g().hidden()));
    const missing = await errorOf(meshCall('GUARDED_DO', 'sec-30', newContinuation<{ nothingHere(): void }>().nothingHere()));
    expect(hidden).toBeInstanceOf(TypeError);
    expect(missing).toBeInstanceOf(TypeError);
    expect(hidden!.message).toBe("Method 'hidden' is not mesh-callable");
    expect(missing!.message).toBe("Method 'nothingHere' is not mesh-callable");
    expect(await kv('GUARDED_DO', 'sec-30', 'hiddenRan')).toBeUndefined();
  });

  it('31: chains starting at svc, ctx, env or lmz, and pure property reads, are refused; no SQL runs', async () => {
    await meshCall('CORE_DO', 'sec-31', newContinuation<CoreDO>().setValue('kept'));
    const refused: OperationChain[] = [
      [{ type: 'get', key: 'svc' }, { type: 'get', key: 'sql' }, { type: 'apply', args: [['CREATE TABLE pwned (x)'], []] }],
      [{ type: 'get', key: 'ctx' }, { type: 'get', key: 'storage' }, { type: 'get', key: 'kv' }, { type: 'get', key: 'put' }, { type: 'apply', args: ['value', 'hacked'] }],
      [{ type: 'get', key: 'ctx' }, { type: 'get', key: 'storage' }, { type: 'get', key: 'deleteAll' }, { type: 'apply', args: [] }],
      [{ type: 'get', key: 'env' }, { type: 'get', key: 'CORE_DO' }, { type: 'get', key: 'idFromName' }, { type: 'apply', args: ['x'] }],
      [{ type: 'get', key: 'lmz' }, { type: 'get', key: 'callRaw' }, { type: 'apply', args: ['CORE_DO', 'x', []] }],
    ];
    for (const chain of refused) {
      await expect(meshCall('CORE_DO', 'sec-31', chain)).rejects.toThrow(`Access denied: inbound chains cannot start at '${String((chain[0] as { key: string }).key)}'`);
    }
    // Nested argument chains are entry points too.
    const nested = decodeOperationChain([{ type: 'get', key: 'echo' }, { type: 'apply', args: [null], nested: [{ path: [0], chain: refused[1] }] }]);
    await expect(meshCall('CORE_DO', 'sec-31', nested)).rejects.toThrow(
      "cannot start at 'ctx'",
    );
    await expect(meshCall('CORE_DO', 'sec-31', [{ type: 'get', key: 'getValue' }])).rejects.toThrow('pure property reads are rejected');
    await runInDurableObject(env.CORE_DO.getByName('sec-31'), (_i, state) => {
      expect(state.storage.kv.get('value')).toBe('kept');
      const tables = [...state.storage.sql.exec<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table'`)].map((r) => r.name);
      expect(tables).not.toContain('pwned');
    });
  });

  it('32: a throwing guard returns its exact error; with the required state the method runs; async guards are awaited', async () => {
    const refused = await errorOf(meshCall('GUARDED_DO', 'sec-32', g().guardedA()));
    expect(refused).toBeInstanceOf(ForbiddenError);
    expect(refused!.message).toBe('requires role admin');
    expect(await meshCall('GUARDED_DO', 'sec-32', g().guardedA(), admin)).toBe('a');
    expect(await meshCall('GUARDED_DO', 'sec-32', g().asyncGuarded(), admin)).toBe('async');
    const asyncRefused = await errorOf(meshCall('GUARDED_DO', 'sec-32', g().asyncGuarded()));
    expect(asyncRefused).toBeInstanceOf(ForbiddenError);
  });

  it('33: @mesh(fn) and @mesh.guard(fn) behave identically', async () => {
    for (const call of [g().guardedA(), g().guardedB()]) {
      expect(await errorOf(meshCall('GUARDED_DO', 'sec-33', call))).toBeInstanceOf(ForbiddenError);
    }
    expect(await meshCall('GUARDED_DO', 'sec-33', g().guardedA(), admin)).toBe('a');
    expect(await meshCall('GUARDED_DO', 'sec-33', g().guardedB(), admin)).toBe('b');
  });

  it('34: onBeforeCall runs once per call, before the guard, with callContext readable; its error arrives unchanged', async () => {
    await meshCall('GUARDED_DO', 'sec-34', g().guardedA(), admin);
    expect(await kv('GUARDED_DO', 'sec-34', 'order')).toEqual(['onBeforeCall:TEST_RUNNER', 'guard', 'method']);
    const blocked = await errorOf(meshCall('GUARDED_DO', 'sec-34b', g().open(), { state: { blockMe: true } }));
    expect(blocked).toBeInstanceOf(ForbiddenError);
    expect(blocked!.message).toBe('blocked by onBeforeCall');
    expect(await kv('GUARDED_DO', 'sec-34b', 'order')).toEqual(['onBeforeCall:TEST_RUNNER']);
  });

  it('35: capability trust — admin().forceReset() passes the admin guard; forceReset alone is not an entry point', async () => {
    expect(await meshCall('GUARDED_DO', 'sec-35', g().admin().forceReset(), admin)).toBe('reset done');
    expect(await errorOf(meshCall('GUARDED_DO', 'sec-35b', g().admin().forceReset()))).toBeInstanceOf(ForbiddenError);
    await expect(meshCall('GUARDED_DO', 'sec-35b', g().forceReset(), admin)).rejects.toThrow("Method 'forceReset' is not mesh-callable");
    expect(await kv('GUARDED_DO', 'sec-35b', 'reset')).toBeUndefined();
  });

  it('36: a nested argument chain to a non-@mesh method is refused even inside a @mesh method', async () => {
    await expect(meshCall('GUARDED_DO', 'sec-36', g().wrap(g().hidden()))).rejects.toThrow("Method 'hidden' is not mesh-callable");
    expect(await kv('GUARDED_DO', 'sec-36', 'hiddenRan')).toBeUndefined();
    expect(await meshCall('GUARDED_DO', 'sec-36', g().wrap(g().open()))).toEqual({ wrapped: 'open' });
  });

  it('37: result and alarm handlers without @mesh run locally; the same methods are refused inbound', async () => {
    await runInDurableObject(env.CORE_DO.getByName('sec-37'), async (a: CoreDO, state) => {
      a.lmz.init({ bindingName: 'CORE_DO', instanceNameOrId: 'sec-37' });
      a.lmz.call('OTHER_DO', 'sec-37b', a.ctn<CoreDO>().echo('ok'), a.ctn().store('handled', a.ctn().$result));
    });
    expect(await waitFor(() => kv('CORE_DO', 'sec-37', 'handled'), 'the local handler')).toBe('ok');
    await expect(meshCall('CORE_DO', 'sec-37', newContinuation<CoreDO>().store('handled', 'forged'))).rejects.toThrow("Method 'store' is not mesh-callable");
    expect(await kv('CORE_DO', 'sec-37', 'handled')).toBe('ok');
    await runInDurableObject(env.ALARM_DO.getByName('sec-37'), async (a: AlarmDO) => {
      a.svc.alarms.schedule(0, a.ctn().recordAlarm('local'));
      expect(await a.svc.alarms.triggerAlarms()).toHaveLength(1);
    });
    expect(await kv('ALARM_DO', 'sec-37', 'runs')).toEqual(['local']);
    await expect(meshCall('ALARM_DO', 'sec-37', newContinuation<AlarmDO>().recordAlarm('remote'))).rejects.toThrow("Method 'recordAlarm' is not mesh-callable");
    expect(await kv('ALARM_DO', 'sec-37', 'runs')).toEqual(['local']);
  });

  it('38: @local handler targets throw at call(); @local with @mesh/@result throws at definition; @result alone is refused inbound', async () => {
    await runInDurableObject(env.CORE_DO.getByName('sec-38'), (a: CoreDO) => {
      a.lmz.init({ bindingName: 'CORE_DO', instanceNameOrId: 'sec-38' });
      expect(() => a.lmz.call('OTHER_DO', 'x', a.ctn<CoreDO>().echo(1), a.ctn().localOnly(a.ctn().$result))).toThrow("'localOnly' is @local");
    });
    await runInDurableObject(env.ALARM_DO.getByName('sec-38'), (a: AlarmDO, state) => {
      expect(() => a.svc.alarms.schedule(5, a.ctn().localOnly())).toThrow("'localOnly' is @local");
      // Nothing stored: the refusal happens before the schedule table is even created.
      expect(state.storage.sql.exec(`SELECT COUNT(*) AS n FROM sqlite_master WHERE name = '__lmz_alarms'`).one().n).toBe(0);
    });
    expect(() => {
      class Bad extends LumenizeDO {
        @mesh @local both() {}
      }
      return Bad;
    }).toThrow(TypeError);
    expect(() => {
      class Bad2 extends LumenizeDO {
        @local @result both() {}
      }
      return Bad2;
    }).toThrow('@local cannot be combined with @result');
    await expect(meshCall('GUARDED_DO', 'sec-38', g().onlyResult(1))).rejects.toThrow("Method 'onlyResult' is not mesh-callable");
    await expect(meshCall('GUARDED_DO', 'sec-38', g().localOnly())).rejects.toThrow("Method 'localOnly' is not mesh-callable");
    expect(await meshCall('GUARDED_DO', 'sec-38', g().meshAndResult(7))).toBe(7);
  });

  it('39: #private members are unreachable over the mesh and over raw Workers RPC; no public member runs chains unchecked', async () => {
    expect(await meshCall('GUARDED_DO', 'sec-39', g().usesSecret())).toBe('secret');
    await runInDurableObject(env.GUARDED_DO.getByName('sec-39'), (_i, state) => state.storage.kv.delete('secretRan'));
    await expect(meshCall('GUARDED_DO', 'sec-39', [{ type: 'get', key: '#secret' }, { type: 'apply', args: [] }])).rejects.toThrow("Method '#secret' is not mesh-callable");
    const raw = env.GUARDED_DO.getByName('sec-39') as unknown as Record<string, () => Promise<unknown>>;
    await expect(rpc(raw['#secret']())).rejects.toThrow('The RPC receiver does not implement "#secret"');
    await expect(rpc(raw.secret())).rejects.toThrow('The RPC receiver does not implement "secret"');
    expect(await kv('GUARDED_DO', 'sec-39', 'secretRan')).toBeUndefined();
    // The public surface of LumenizeDO: nothing that executes chains without the @mesh check. Besides
    // the members below only framework pub/sub entry points (`__lmz*`, which check their caller) exist.
    const core = ['__awaitParked', '__executeBatch', '__executeOperation', '__receiveResult', 'alarm', 'constructor', 'ctn', 'ctnBatch', 'fetch', 'onBeforeCall', 'svc'];
    const members = Object.getOwnPropertyNames(LumenizeDO.prototype);
    expect(members).toEqual(expect.arrayContaining(core));
    expect(members.filter((m) => !core.includes(m) && !m.startsWith('__lmz') && m !== 'onBeforeSubscribe')).toEqual([]);
    await runInDurableObject(env.GUARDED_DO.getByName('sec-39'), (instance: GuardedDO) => {
      // ctx and env are the platform's own fields; lmz is the only one we add.
      expect(Object.keys(instance).sort()).toEqual(['ctx', 'env', 'lmz']);
      const lmzMembers = Object.getOwnPropertyNames(Object.getPrototypeOf(instance.lmz)).sort();
      expect(lmzMembers.filter((m) => m !== 'subscribe' && m !== 'publish')).toEqual(
        ['bindingName', 'call', 'callContext', 'callRaw', 'constructor', 'id', 'init', 'instanceName', 'instanceNameOrId', 'selfIdentity'].sort(),
      );
    });
  });
});
