/** mesh.md §12 "Alarms, sql, NADIS" (items 83–92), sql migrations, and the __receiveResult plugin hook. */
import { env, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { stringify } from '@lumenize/structured-clone';
import { describe, expect, it } from 'vitest';
import { getOperationChain, NadisPlugin, newContinuation, sql, type AnyContinuation } from '../../src/index.ts';
import type { AlarmDO, CoreDO } from './nodes.ts';
import { meshCall, TEST_ORIGIN, waitFor } from './helpers.ts';
import { logsOf, mark } from './logs.ts';

const inAlarmDO = <R>(name: string, fn: (a: AlarmDO, state: DurableObjectState) => R | Promise<R>) =>
  runInDurableObject(env.ALARM_DO.getByName(name), (a: AlarmDO, state) => fn(a, state));
const alarmRows = (state: DurableObjectState) =>
  state.storage.sql.exec(`SELECT name FROM sqlite_master WHERE name = '__lmz_alarms'`).toArray().length === 0
    ? 0
    : (state.storage.sql.exec(`SELECT COUNT(*) AS n FROM __lmz_alarms`).one().n as number);

describe('Alarms', () => {
  it('83: Date, seconds and cron give scheduled / delayed / cron schedules with ms time and a chain', async () => {
    await inAlarmDO('al-83', (a) => {
      const before = Date.now();
      const at = new Date(before + 60_000);
      const s1 = a.svc.alarms.schedule(at, a.ctn().recordAlarm('date'));
      const s2 = a.svc.alarms.schedule(5, a.ctn().recordAlarm('delay'));
      const s3 = a.svc.alarms.schedule('* * * * *', a.ctn().recordAlarm('cron'));
      expect(s1).toMatchObject({ type: 'scheduled', time: at.getTime() });
      expect(s2).toMatchObject({ type: 'delayed', delayInSeconds: 5 });
      expect(s2.time).toBeGreaterThanOrEqual(before + 5000);
      expect(s2.time).toBeLessThanOrEqual(Date.now() + 5000);
      expect(s3).toMatchObject({ type: 'cron', cron: '* * * * *' });
      expect(s3.time).toBeGreaterThan(Date.now());
      expect(s3.time % 60_000).toBe(0);
      for (const s of [s1, s2, s3]) expect(s.operationChain.length).toBeGreaterThan(0);
      expect(a.svc.alarms.getSchedule(s2.id)).toEqual(s2);
    });
  });

  it('84: triggerAlarms(1) runs a not-yet-due schedule with its payload and removes it; a cron schedule stays', async () => {
    await inAlarmDO('al-84', async (a, state) => {
      const s = a.svc.alarms.schedule(3600, a.ctn().recordAlarm({ payload: 84 }));
      expect(await a.svc.alarms.triggerAlarms(1)).toEqual([s.id]);
      expect(state.storage.kv.get('runs')).toEqual([{ payload: 84 }]);
      expect(a.svc.alarms.getSchedule(s.id)).toBeUndefined();
      const cron = a.svc.alarms.schedule('*/5 * * * *', a.ctn().recordAlarm('cron'));
      expect(await a.svc.alarms.triggerAlarms(1)).toEqual([cron.id]);
      expect(a.svc.alarms.getSchedule(cron.id)!.time).toBeGreaterThanOrEqual(cron.time);
      expect(state.storage.kv.get('runs')).toEqual([{ payload: 84 }, 'cron']);
    });
  });

  it('85: past-dated schedules run in time order, equal times in creation order; triggerAlarms(2) leaves one', async () => {
    await inAlarmDO('al-85', async (a, state) => {
      const now = Date.now();
      a.svc.alarms.schedule(new Date(now - 1000), a.ctn().recordAlarm('c'));
      a.svc.alarms.schedule(new Date(now - 3000), a.ctn().recordAlarm('a'));
      a.svc.alarms.schedule(new Date(now - 2000), a.ctn().recordAlarm('b'));
      expect(await a.svc.alarms.triggerAlarms()).toHaveLength(3);
      expect(state.storage.kv.get('runs')).toEqual(['a', 'b', 'c']);
      state.storage.kv.delete('runs');
      const same = new Date(now - 500);
      for (const label of ['first', 'second', 'third']) a.svc.alarms.schedule(same, a.ctn().recordAlarm(label));
      expect(await a.svc.alarms.triggerAlarms(2)).toHaveLength(2);
      expect(state.storage.kv.get('runs')).toEqual(['first', 'second']);
      expect(a.svc.alarms.getSchedules()).toHaveLength(1);
    });
  });

  it('86: a throwing handler does not stop the next; its id is missing from the result and logged at error', async () => {
    const since = mark();
    await inAlarmDO('al-86', async (a, state) => {
      const bad = a.svc.alarms.schedule(new Date(Date.now() - 2000), a.ctn().throwingAlarm('x'));
      const good = a.svc.alarms.schedule(new Date(Date.now() - 1000), a.ctn().recordAlarm('after'));
      expect(await a.svc.alarms.triggerAlarms()).toEqual([good.id]);
      expect(state.storage.kv.get('runs')).toEqual(['after']);
      const errors = logsOf('lmz.mesh.Alarms', 'error', since);
      expect(errors).toHaveLength(1);
      expect(JSON.stringify(errors[0].data)).toContain(bad.id);
      expect(JSON.stringify(errors[0].data)).toContain('throwingAlarm');
      expect(a.svc.alarms.getSchedules()).toEqual([]);
    });
  });

  it('87: cancel, get by type and time range, unknown ids and id reuse', async () => {
    await inAlarmDO('al-87', (a) => {
      const now = Date.now();
      const s1 = a.svc.alarms.schedule(new Date(now + 10_000), a.ctn().recordAlarm(1));
      const s2 = a.svc.alarms.schedule(20, a.ctn().recordAlarm(2));
      a.svc.alarms.schedule('0 0 * * *', a.ctn().recordAlarm(3));
      expect(a.svc.alarms.getSchedules({ type: 'delayed' }).map((s) => s.id)).toEqual([s2.id]);
      expect(a.svc.alarms.getSchedules({ timeRange: { start: new Date(now + 5_000), end: new Date(now + 15_000) } }).map((s) => s.id)).toEqual([s1.id]);
      expect(a.svc.alarms.cancelSchedule(s1.id)).toEqual(s1);
      expect(a.svc.alarms.getSchedule(s1.id)).toBeUndefined();
      expect(a.svc.alarms.cancelSchedule('unknown')).toBeUndefined();
      const first = a.svc.alarms.schedule(30, a.ctn().recordAlarm('old'), { id: 'mine' });
      const second = a.svc.alarms.schedule(40, a.ctn().recordAlarm('new'), { id: 'mine' });
      expect(a.svc.alarms.getSchedules({ id: 'mine' })).toEqual([second]);
      expect(second.time).not.toBe(first.time);
    });
  });

  it('88: bad when, bad cron, negative delay and non-continuations throw; nothing is stored', async () => {
    await inAlarmDO('al-88', (a, state) => {
      const c = a.ctn().recordAlarm('x');
      expect(() => a.svc.alarms.schedule({} as unknown as number, c)).toThrow('Invalid schedule type');
      expect(() => a.svc.alarms.schedule(new Date('nonsense'), c)).toThrow('Invalid schedule date: Invalid Date');
      expect(() => a.svc.alarms.schedule(-1, c)).toThrow('Invalid schedule delay: -1');
      expect(() => a.svc.alarms.schedule(Number.NaN, c)).toThrow('Invalid schedule delay: NaN');
      expect(() => a.svc.alarms.schedule(Number.POSITIVE_INFINITY, c)).toThrow('Invalid schedule delay: Infinity');
      expect(() => a.svc.alarms.schedule('every tuesday', c)).toThrow("Invalid cron expression 'every tuesday'");
      expect(() => a.svc.alarms.schedule(5, (() => 1) as unknown as AnyContinuation)).toThrow('Invalid continuation: must be created with this.ctn()');
      expect(alarmRows(state)).toBe(0);
    });
    await expect(inAlarmDO('al-88', (a) => a.svc.alarms.triggerAlarms(0))).rejects.toThrow('expected a positive integer');
  });

  it('89: a 0-second delay sets the native alarm at or before now; none remains after the last; runDurableObjectAlarm drains overdue work', async () => {
    const stub = env.ALARM_DO.getByName('al-89');
    await inAlarmDO('al-89', async (a, state) => {
      a.svc.alarms.schedule(0, a.ctn().recordAlarm('zero'));
      a.svc.alarms.schedule(new Date(Date.now() - 5000), a.ctn().recordAlarm('past'));
      // Read inside the same event: the due native alarm cannot be delivered before this callback ends.
      const native = await state.storage.getAlarm();
      expect(native).not.toBeNull();
      expect(native!).toBeLessThanOrEqual(Date.now());
    });
    // The alarm is due, so the runtime may deliver it on its own before the test does: either path
    // must drain the overdue work exactly once, in time order. runDurableObjectAlarm answers false
    // when the runtime got there first.
    await runDurableObjectAlarm(stub);
    await waitFor(() => inAlarmDO('al-89', (_a, state) => ((state.storage.kv.get<string[]>('runs')?.length ?? 0) >= 2 ? true : undefined)), 'both overdue alarms');
    await inAlarmDO('al-89', async (a, state) => {
      expect(state.storage.kv.get('runs')).toEqual(['past', 'zero']);
      expect(a.svc.alarms.getSchedules()).toEqual([]);
      expect(await state.storage.getAlarm()).toBeNull();
      const s = a.svc.alarms.schedule(60, a.ctn().recordAlarm('later'));
      expect(await state.storage.getAlarm()).toBe(s.time);
      a.svc.alarms.cancelSchedule(s.id);
      expect(await state.storage.getAlarm()).toBeNull();
    });
  });

  it("90: an alarm scheduled inside a mesh call runs with that call's origin and originAuth; otherwise a fresh context", async () => {
    const originAuth = { userId: 'u90', claims: { plan: 'pro' } };
    await meshCall('ALARM_DO', 'al-90', newContinuation<AlarmDO>().scheduleFromCall('inCall'), { originAuth, state: { s: 1 } });
    await inAlarmDO('al-90', async (a, state) => {
      a.svc.alarms.schedule(0, a.ctn().recordContext('outside'));
      await a.svc.alarms.triggerAlarms();
      expect(state.storage.kv.get('ctx:inCall')).toMatchObject({ origin: TEST_ORIGIN, originAuth, state: { s: 1 } });
      expect(state.storage.kv.get('ctx:outside')).toMatchObject({
        callChain: [{ type: 'LumenizeDO', bindingName: 'ALARM_DO', instanceName: 'al-90' }],
        originAuth: undefined,
        state: {},
      });
    });
  });

  it('overlapping triggerAlarms() calls never run one schedule twice', async () => {
    await inAlarmDO('al-overlap', async (a, state) => {
      a.svc.alarms.schedule(0, a.ctn().recordAlarm('once'));
      const [first, second] = await Promise.all([a.svc.alarms.triggerAlarms(), a.svc.alarms.triggerAlarms()]);
      expect([...first, ...second]).toHaveLength(1);
      expect(state.storage.kv.get('runs')).toEqual(['once']);
    });
  });

  it('transaction: true rolls back an alarm handler that throws after writing', async () => {
    await inAlarmDO('al-tx', async (a, state) => {
      a.svc.alarms.schedule(0, a.ctn().writeThenThrowAlarm(), { transaction: true });
      expect(await a.svc.alarms.triggerAlarms()).toEqual([]);
      expect(state.storage.kv.get('alarmWrite')).toBeUndefined();
      a.svc.alarms.schedule(0, a.ctn().writeThenThrowAlarm());
      await a.svc.alarms.triggerAlarms();
      expect(state.storage.kv.get('alarmWrite')).toBe('written');
    });
  });
});

describe('sql', () => {
  it('91: svc.sql returns row objects and binds interpolations; standalone sql(this) works on a plain DurableObject', async () => {
    await runInDurableObject(env.CORE_DO.getByName('sql-91'), (a: CoreDO) => {
      a.svc.sql`CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)`;
      const evil = "'x'); DROP TABLE t; --";
      a.svc.sql`INSERT INTO t (name) VALUES (${evil})`;
      expect(a.svc.sql`SELECT id, name FROM t`).toEqual([{ id: 1, name: evil }]);
      expect(() => (a.svc.sql as unknown as (s: string) => unknown)('SELECT 1')).toThrow('sql is a template tag');
    });
    const raw = env.RAW_DO.getByName('sql-91');
    expect(await raw.notes("'x'); DROP TABLE notes; --", 'evil')).toEqual([{ body: "'x'); DROP TABLE notes; --", tag: 'evil' }]);
    expect(() => sql({})).toThrow('sql() requires a Durable Object instance with ctx.storage.sql');
    expect(() => sql({ ctx: { storage: {} } })).toThrow('sql() requires a Durable Object instance with ctx.storage.sql');
  });

  it('numbered migrations run once, in order, before the first statement, and survive eviction', async () => {
    const raw = env.RAW_DO.getByName('sql-migrations');
    expect(await raw.notes('one', 'a')).toEqual([{ body: 'one', tag: 'a' }]);
    expect(await raw.migrationLog()).toEqual([2, 3]);
    await evictDurableObject(raw);
    expect(await raw.notes('two', 'b')).toHaveLength(2);
    expect(await raw.migrationLog()).toEqual([2, 3]);
    await runInDurableObject(raw, (_i, state) => {
      expect(state.storage.sql.exec(`SELECT version FROM __lmz_sql_migrations ORDER BY version`).toArray().map((r) => r.version)).toEqual([1, 2, 3]);
    });
  });

  it('a failing migration rolls back and is retried; a schema newer than the code is refused', async () => {
    await runInDurableObject(env.CORE_DO.getByName('sql-mig-bad'), (_i, state) => {
      const host = (migrations: unknown[]) => Object.assign(Object.create({ constructor: { sqlMigrations: migrations } }), { ctx: { storage: state.storage } });
      const broken = host(['CREATE TABLE a1 (x)', 'CREATE TABLE b1 (x); CREATE TABLE b1 (x)']);
      expect(() => sql(broken)`SELECT 1 AS one`).toThrow('table b1 already exists');
      const tables = () => [...state.storage.sql.exec<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table'`)].map((r) => r.name);
      expect(tables()).toContain('a1');
      expect(tables()).not.toContain('b1');
      expect(state.storage.sql.exec(`SELECT MAX(version) AS v FROM __lmz_sql_migrations`).one().v).toBe(1);
      const fixed = host(['CREATE TABLE a1 (x)', 'CREATE TABLE b1 (x)']);
      expect(sql(fixed)`SELECT 1 AS one`).toEqual([{ one: 1 }]);
      expect(tables()).toContain('b1');
      const older = host(['CREATE TABLE a1 (x)']);
      expect(() => sql(older)`SELECT 1`).toThrow('SQL schema version 2 is newer than the 1 migrations this code declares');
      expect(() => sql(host([42]))`SELECT 1`).toThrow('sqlMigrations[0] must be SQL text or a function');
    });
  });
});

describe('NADIS', () => {
  it('92: class and function plugins, per-instance caching, unknown services, missing dependencies, built-in names', async () => {
    const since = mark();
    const stub = env.ALARM_DO.getByName('nadis-92');
    const counts: number[] = [];
    for (let i = 0; i < 3; i++) counts.push(await runInDurableObject(stub, (a: AlarmDO) => a.svc.counter.next()));
    expect(counts).toEqual([1, 2, 3]);
    await runInDurableObject(stub, (a: AlarmDO) => {
      const exposed = a.svc.counter.exposed;
      expect(exposed.hasCtx).toBe(true);
      expect(exposed.hasSvc).toBe(true);
      expect(exposed.doInstance).toBe(a);
      expect(a.svc.greeting).toBe('hello from AlarmDO');
      expect(() => (a.svc as unknown as Record<string, unknown>).nope).toThrow("Service 'nope' not found. Did you import the NADIS package? Example: import '@lumenize/nope';");
      expect(() => a.svc.needy).toThrow("Service 'missingDependency' not found");
    });
    expect(logsOf('lmz.mesh.NadisPlugin', 'error', since).map((r) => (r.data as { service: string }).service)).toEqual(['nope', 'missingDependency']);
    expect(() => NadisPlugin.register('sql', () => 1)).toThrow("'sql' is a built-in service and cannot be overridden");
    expect(() => NadisPlugin.register('alarms', () => 1)).toThrow("'alarms' is a built-in service");
    const raw = env.RAW_DO.getByName('nadis-92');
    expect(await raw.counterStandalone()).toEqual([1, 2]);
    expect(await raw.alarmsStandalone()).toBe('function');
  });

  it('a continuation rooted at svc (svc.<plugin>.<method>()) runs from an alarm: svc is not a thenable', async () => {
    const stub = env.ALARM_DO.getByName('nadis-svc-root');
    const ran = await runInDurableObject(stub, async (a: AlarmDO) => {
      expect((a.svc as unknown as Record<string, unknown>).then).toBeUndefined();
      const root = a.ctn() as unknown as { svc: { counter: { next(): AnyContinuation } } };
      const s = a.svc.alarms.schedule(3600, root.svc.counter.next());
      const ids = await a.svc.alarms.triggerAlarms(1);
      return { ids, id: s.id, after: a.svc.counter.next() };
    });
    expect(ran.ids).toEqual([ran.id]);
    expect(ran.after).toBe(2); // the alarm's call was the first next()
  });
});

describe('__receiveResult', () => {
  it('runs the stored continuation once with the result; duplicates and unknown ids are logged and ignored', async () => {
    const since = mark();
    const stub = env.CORE_DO.getByName('receive-result');
    await runInDurableObject(stub, (a: CoreDO, state) => {
      a.lmz.init({ bindingName: 'CORE_DO', instanceNameOrId: 'receive-result' });
      state.storage.kv.put('__lmz_fetch_pending:r1', getOperationChain(a.ctn().recordOutcome('got', a.ctn().$result)));
      state.storage.kv.put('__lmz_fetch_pending:r2', {
        chain: getOperationChain(a.ctn().recordOutcome('got2', a.ctn().$result)),
        callContext: { callChain: [TEST_ORIGIN], originAuth: { userId: 'u1' }, state: { k: 1 } },
      });
    });
    await stub.__receiveResult('fetch', 'r1', stringify(new Map([[1, 'one']])));
    await stub.__receiveResult('fetch', 'r1', stringify('duplicate'));
    await stub.__receiveResult('fetch', 'unknown', stringify('nobody'));
    await stub.__receiveResult('fetch', 'r2', stringify(new Error('remote failed')));
    await runInDurableObject(stub, (_a, state) => {
      const got = state.storage.kv.get<{ outcome: { value: Map<number, string> }; context: { callChain: unknown[] } }>('got')!;
      expect(got.outcome.value).toEqual(new Map([[1, 'one']]));
      expect(got.context.callChain).toEqual([{ type: 'LumenizeDO', bindingName: 'CORE_DO', instanceName: 'receive-result' }]);
      expect(state.storage.kv.get('got2')).toMatchObject({ outcome: { isError: true, message: 'remote failed' }, context: { originAuth: { userId: 'u1' }, state: { k: 1 } } });
      expect(state.storage.kv.get('__lmz_fetch_pending:r1')).toBeUndefined();
    });
    expect(logsOf('lmz.mesh.LumenizeDO.__receiveResult', 'warn', since)).toHaveLength(2);
  });
});
