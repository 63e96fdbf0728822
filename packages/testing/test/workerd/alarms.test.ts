/**
 * Alarms: the deprecated simulation (spec §9 item 38) and virtual alarms with time travel (the
 * fault harness, item 2): no native alarm ever fires on its own, the test moves the clock.
 */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { advanceClock, createTestingClient, getVirtualAlarm, HarnessError, runNextAlarm, testClock } from '../../src/index.ts';
import type { AlarmDO } from '../fixtures/alarm-nodes.ts';
import type { ReminderNode } from '../fixtures/mesh-nodes.ts';
import { testEnv, unique } from '../env.ts';

afterEach(() => {
  testClock.reset();
  vi.restoreAllMocks();
});

describe('alarm simulation (deprecated, item 38)', () => {
  it('is off by default: setAlarm is native (runDurableObjectAlarm runs it)', async () => {
    const name = unique('native');
    using client = createTestingClient<typeof AlarmDO>('NATIVE_ALARM_DO', name, { prefix: 'native-rpc' });
    await client.setAlarmIn(60_000);
    expect(await client.getAlarm()).toBeTypeOf('number');
    expect(await runDurableObjectAlarm(testEnv.NATIVE_ALARM_DO.getByName(name))).toBe(true);
    expect(await client.runs()).toHaveLength(1);
  });

  it('enabled: a 10 s alarm is scheduled after 10000 / timeScale ms and fires; a second setAlarm replaces the first', async () => {
    const timeout = vi.spyOn(globalThis, 'setTimeout');
    using client = createTestingClient<typeof AlarmDO>('SIMULATED_ALARM_DO', unique('sim'), { prefix: 'sim-rpc' });
    // The first alarm is an hour out (a 36 s timer), so it cannot fire before it is replaced, however slow the machine.
    await client.setAlarmIn(3_600_000);
    const firstIndex = timeout.mock.calls.findIndex(([, d]) => typeof d === 'number' && d > 35_999 && d <= 36_000);
    expect(firstIndex).toBeGreaterThanOrEqual(0);
    const first = timeout.mock.results[firstIndex].value;
    const cleared = vi.spyOn(globalThis, 'clearTimeout');
    await client.setAlarmIn(10_000);
    // Replaced, not added: the first timer is cancelled before the second is set.
    expect(cleared).toHaveBeenCalledWith(first);
    // 10000 / 100 (Date.now() only moves across I/O, so at most a tick less).
    expect(timeout.mock.calls.some(([, delay]) => typeof delay === 'number' && delay > 99 && delay <= 100)).toBe(true);
    await vi.waitFor(async () => expect(await client.runs()).toHaveLength(1));
    expect(await client.getAlarm()).toBeNull();
  });

  it('getAlarm returns the pending time, then null after deleteAlarm (nothing fires)', async () => {
    using client = createTestingClient<typeof AlarmDO>('SIMULATED_ALARM_DO', unique('sim-del'), { prefix: 'sim-rpc' });
    const at = Date.now() + 60_000;
    await client.setAlarmAt(at);
    expect(await client.getAlarm()).toBe(at);
    await client.deleteAlarm();
    expect(await client.getAlarm()).toBeNull();
  });

  it('an alarm failing twice succeeds on retry 2 with alarmRetryCount === 2', async () => {
    using client = createTestingClient<typeof AlarmDO>('SIMULATED_ALARM_DO', unique('sim-retry'), { prefix: 'sim-rpc' });
    await client.failNext(2);
    await client.setAlarmIn(0);
    await vi.waitFor(async () => expect(await client.runs()).toHaveLength(1), { timeout: 5_000 });
    expect(await client.ctx.storage.kv.get('alarmRetryCount')).toBe(2);
  });

  it('§7: a handler that keeps failing is retried maxRetries times, then abandoned; no unhandled rejection', async () => {
    using client = createTestingClient<typeof AlarmDO>('SIMULATED_ALARM_DO', unique('sim-giveup'), { prefix: 'sim-rpc' });
    await client.failNext(100);
    await client.setAlarmIn(0);
    // maxRetries is 3 in the test Worker: the first run plus 3 retries (retryCount 3), then nothing.
    await vi.waitFor(async () => expect(await client.ctx.storage.kv.get('alarmRetryCount')).toBe(3), { timeout: 5_000 });
    expect(await client.ctx.storage.kv.get('failTimes')).toBe(96);
    expect(await client.getAlarm()).toBeNull();
  });
});

describe('virtual alarms and time travel', () => {
  it('setAlarm records a virtual alarm: getAlarm sees it, the native alarm is never armed', async () => {
    const name = unique('virtual');
    using client = createTestingClient<typeof AlarmDO>('VIRTUAL_ALARM_DO', name);
    const at = Date.now() + 3_600_000;
    await client.setAlarmAt(at);
    expect(await client.getAlarm()).toBe(at);
    expect(await getVirtualAlarm(testEnv.VIRTUAL_ALARM_DO.getByName(name))).toBe(at);
    // The platform's own alarm stays unarmed: nothing can fire on its own mid-test.
    const nativeAlarm = await runInDurableObject(testEnv.VIRTUAL_ALARM_DO.getByName(name), (_i, state) =>
      (Object.getPrototypeOf(state.storage) as DurableObjectStorage).getAlarm.call(state.storage),
    );
    expect(nativeAlarm).toBeNull();
    await client.deleteAlarm();
    expect(await client.getAlarm()).toBeNull();
  });

  it('runNextAlarm travels to the alarm’s time and runs it once; Date.now() inside the DO is that time', async () => {
    const name = unique('travel');
    const stub = testEnv.VIRTUAL_ALARM_DO.getByName(name);
    using client = createTestingClient<typeof AlarmDO>('VIRTUAL_ALARM_DO', name);
    const at = Date.now() + 3_600_000;
    await client.setAlarmAt(at);
    const run = await runNextAlarm(stub);
    expect(run).toMatchObject({ ran: true, scheduledTime: at });
    const [ranAt] = await client.runs();
    expect(ranAt).toBeGreaterThanOrEqual(at);
    expect(Date.now()).toBeGreaterThanOrEqual(at);
    expect(await runNextAlarm(stub)).toMatchObject({ ran: false, scheduledTime: null });
  });

  it('a throwing alarm keeps its record with retryCount + 1 and rethrows; the next run sees isRetry', async () => {
    const name = unique('travel-retry');
    const stub = testEnv.VIRTUAL_ALARM_DO.getByName(name);
    using client = createTestingClient<typeof AlarmDO>('VIRTUAL_ALARM_DO', name);
    await client.failNext(1);
    await client.setAlarmIn(1_000);
    await expect(runNextAlarm(stub)).rejects.toThrow('alarm failure (1 left)');
    expect(await runNextAlarm(stub)).toMatchObject({ ran: true });
    expect(await client.ctx.storage.kv.get('alarmRetryCount')).toBe(1);
  });

  it('the mesh alarms service works under it: advanceClock runs delayed and cron schedules in time order', async () => {
    const name = unique('reminder');
    const stub = testEnv.REMINDER_NODE.getByName(name);
    using client = createTestingClient<typeof ReminderNode>('REMINDER_NODE', name);
    await client.remindIn(90, 'ninety seconds');
    await client.remindIn(30, 'thirty seconds');
    await client.remindEvery('* * * * *', 'every minute');
    expect(await client.firedList()).toEqual([]);
    const start = Date.now();
    const runs = await advanceClock(3 * 60_000, stub);
    expect(runs.every((r) => r.ran)).toBe(true);
    const fired = (await client.firedList()).map((f) => f.label);
    expect(fired.filter((l) => l === 'every minute')).toHaveLength(3);
    expect(fired.indexOf('thirty seconds')).toBeLessThan(fired.indexOf('ninety seconds'));
    expect(fired.filter((l) => l !== 'every minute')).toEqual(['thirty seconds', 'ninety seconds']);
    // Handlers saw virtual time.
    expect((await client.firedList()).at(-1)!.at - start).toBeLessThanOrEqual(3 * 60_000);
    expect(Date.now() - start).toBeGreaterThanOrEqual(3 * 60_000);
  });

  it('virtual alarms survive eviction (the record is in storage)', async () => {
    const name = unique('evicted-alarm');
    const stub = testEnv.REMINDER_NODE.getByName(name);
    using client = createTestingClient<typeof ReminderNode>('REMINDER_NODE', name);
    await client.remindIn(600, 'after eviction');
    const { evict } = await import('../../src/index.ts');
    await evict(stub);
    expect(await runNextAlarm(stub)).toMatchObject({ ran: true });
    expect((await client.firedList()).map((f) => f.label)).toEqual(['after eviction']);
  });

  it('bad input: non-virtual DOs, negative or NaN durations, bad setAlarm times', async () => {
    await expect(runNextAlarm(testEnv.NATIVE_ALARM_DO.getByName(unique('nv')))).rejects.toMatchObject({ name: 'HarnessError', code: 'NOT_INSTRUMENTED' });
    await expect(advanceClock(-1)).rejects.toBeInstanceOf(HarnessError);
    expect(() => testClock.advance(Number.NaN)).toThrow(HarnessError);
    using client = createTestingClient<typeof AlarmDO>('VIRTUAL_ALARM_DO', unique('bad-time'));
    await expect(client.setAlarmAt('soon' as unknown as number)).rejects.toThrow('setAlarm() expects a Date or epoch milliseconds');
    expect(await client.getAlarm()).toBeNull();
  });

  it('testClock: new Date() and Date.now() move together; reset restores the platform Date', () => {
    const before = Date.now();
    testClock.advance(86_400_000);
    expect(Date.now() - before).toBeGreaterThanOrEqual(86_400_000);
    expect(new Date().getTime() - before).toBeGreaterThanOrEqual(86_400_000);
    expect(new Date(0).getTime()).toBe(0);
    expect(new Date()).toBeInstanceOf(Date);
    testClock.reset();
    expect(Date.now() - before).toBeLessThan(86_400_000);
  });
});
