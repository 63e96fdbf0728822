/**
 * Alarm time travel from the test side: read a DO's virtual alarm, move the virtual clock to it
 * and run `alarm()` inside the DO, with no real waiting and no native alarm racing the test.
 */
import { debug } from '@lumenize/debug';
import { cloudflareTest } from './cloudflare-test.ts';
import { testClock } from './clock.ts';
import { HarnessError } from './errors.ts';
import { VIRTUAL_ALARMS, VIRTUAL_ALARM_KEY, type VirtualAlarmRecord } from './virtual-alarms.ts';

/** What {@link runNextAlarm} did. */
export interface AlarmRun {
  /** True when `alarm()` ran. */
  ran: boolean;
  /** The alarm's time (epoch ms), or `null` when none was set. */
  scheduledTime: number | null;
  /** The virtual clock after the run. */
  now: number;
}

/** Most alarm runs one {@link advanceClock} call performs per DO (a handler that re-arms forever). */
export const MAX_ALARM_RUNS_PER_ADVANCE = 1_000;

const log = debug('lmz.testing.timeTravel');

function assertVirtual(state: DurableObjectState): void {
  if (!(state.storage as { [VIRTUAL_ALARMS]?: true })[VIRTUAL_ALARMS]) {
    throw new HarnessError(
      'NOT_INSTRUMENTED',
      `DO ${state.id.toString()} does not use virtual alarms: wrap its class with withVirtualAlarms(), or instrumentDOProject({ …, virtualAlarms: true })`,
    );
  }
}

/**
 * The DO's pending virtual alarm (epoch ms), or `null`.
 * @example expect(await getVirtualAlarm(stub)).toBe(null);
 */
export async function getVirtualAlarm(stub: DurableObjectStub): Promise<number | null> {
  const { runInDurableObject } = await cloudflareTest();
  return runInDurableObject(stub, (_instance, state) => {
    assertVirtual(state);
    return state.storage.kv.get<VirtualAlarmRecord>(VIRTUAL_ALARM_KEY)?.time ?? null;
  });
}

/** Runs the alarm if it is due at virtual now; a throwing handler keeps the alarm (retryCount + 1) and rethrows. */
async function runIfDue(stub: DurableObjectStub): Promise<AlarmRun> {
  const { runInDurableObject } = await cloudflareTest();
  return runInDurableObject(stub, async (instance, state) => {
    assertVirtual(state);
    const kv = state.storage.kv;
    const record = kv.get<VirtualAlarmRecord>(VIRTUAL_ALARM_KEY);
    if (!record || record.time > Date.now()) return { ran: false, scheduledTime: record?.time ?? null, now: Date.now() };
    // Cleared first, as the platform does: the handler may set the next alarm.
    kv.delete(VIRTUAL_ALARM_KEY);
    const alarm = (instance as { alarm?: (info: AlarmInvocationInfo) => unknown }).alarm;
    try {
      if (typeof alarm === 'function') await alarm.call(instance, { retryCount: record.retryCount, isRetry: record.retryCount > 0, scheduledTime: record.time });
    } catch (error) {
      if (!kv.get(VIRTUAL_ALARM_KEY)) kv.put(VIRTUAL_ALARM_KEY, { time: record.time, retryCount: record.retryCount + 1 } satisfies VirtualAlarmRecord);
      throw error;
    }
    return { ran: true, scheduledTime: record.time, now: Date.now() };
  });
}

/**
 * Moves the virtual clock to the DO's next alarm (if it lies ahead) and runs it.
 * @example const { ran } = await runNextAlarm(env.REMINDER.getByName('r1'));
 */
export async function runNextAlarm(stub: DurableObjectStub): Promise<AlarmRun> {
  const time = await getVirtualAlarm(stub);
  if (time === null) return { ran: false, scheduledTime: null, now: testClock.now() };
  testClock.advanceTo(time);
  log.debug('travelled to alarm', { time });
  return runIfDue(stub);
}

/**
 * Moves the virtual clock `ms` forward and runs, for each given DO, every alarm that falls due on
 * the way, in time order (a handler that re-arms inside the window runs again). Returns the runs.
 * @example await advanceClock(5 * 60_000, env.REMINDER.getByName('r1'));
 */
export async function advanceClock(ms: number, ...stubs: DurableObjectStub[]): Promise<AlarmRun[]> {
  const target = testClock.now() + (Number.isFinite(ms) && ms >= 0 ? ms : NaN);
  if (Number.isNaN(target)) throw new HarnessError('BAD_ARGUMENT', `advanceClock(ms): expected a finite number of milliseconds >= 0, got ${String(ms)}`);
  const runs: AlarmRun[] = [];
  for (let i = 0; ; i++) {
    if (i >= MAX_ALARM_RUNS_PER_ADVANCE * Math.max(1, stubs.length)) {
      throw new HarnessError('RUNAWAY_ALARMS', `advanceClock: more than ${MAX_ALARM_RUNS_PER_ADVANCE} alarm runs per DO in ${ms} ms; does a handler re-arm at or before now?`);
    }
    // The earliest alarm due within the window, across all the DOs.
    let next: { stub: DurableObjectStub; time: number } | undefined;
    for (const stub of stubs) {
      const time = await getVirtualAlarm(stub);
      if (time !== null && time <= target && (!next || time < next.time)) next = { stub, time };
    }
    if (!next) break;
    testClock.advanceTo(next.time);
    runs.push(await runIfDue(next.stub));
  }
  testClock.advanceTo(target);
  return runs;
}
