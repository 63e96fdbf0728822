/**
 * Virtual alarms for time travel: `ctx.storage.setAlarm/getAlarm/deleteAlarm` of an instrumented
 * DO record the alarm in the DO's own KV instead of arming the native alarm, so no alarm fires on
 * its own mid-test. The test runs it with {@link runNextAlarm} / {@link advanceClock}. The record
 * is durable, so it survives hibernation and eviction like a native alarm.
 */
import { debug } from '@lumenize/debug';
import { HarnessError } from './errors.ts';

/** KV key of the recorded alarm (`{ time, retryCount }`). */
export const VIRTUAL_ALARM_KEY = '__lmz_testing:alarm';
/** Marks a storage object whose alarms are virtual. */
export const VIRTUAL_ALARMS = Symbol.for('lmz.testing.virtualAlarms');

/** The recorded virtual alarm. */
export interface VirtualAlarmRecord {
  time: number;
  retryCount: number;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any Durable Object constructor
export type DOClass = new (...args: any[]) => object;

const log = debug('lmz.testing.virtualAlarms');

/** Epoch ms from `setAlarm`'s argument, or a clear error (the platform throws on bad times too). */
export function alarmTime(scheduledTime: unknown, where: string): number {
  const time = scheduledTime instanceof Date ? scheduledTime.getTime() : scheduledTime;
  if (typeof time !== 'number' || !Number.isFinite(time)) {
    throw new TypeError(`${where}: setAlarm() expects a Date or epoch milliseconds, got ${String(scheduledTime)}`);
  }
  return time;
}

/** Replaces the alarm methods of one DO's storage (called with the constructor's `ctx`, before `super`). */
export function installVirtualAlarms(ctx: DurableObjectState): void {
  const storage = ctx.storage as DurableObjectStorage & { [VIRTUAL_ALARMS]?: true };
  if (storage[VIRTUAL_ALARMS]) return;
  const nativeDelete = storage.deleteAlarm.bind(storage);
  const kv = storage.kv;
  storage[VIRTUAL_ALARMS] = true;
  storage.setAlarm = async (scheduledTime: number | Date) => {
    const time = alarmTime(scheduledTime, 'virtual alarms');
    kv.put(VIRTUAL_ALARM_KEY, { time, retryCount: 0 } satisfies VirtualAlarmRecord);
    if (log.enabled) log.debug('alarm recorded', { id: ctx.id.toString(), time });
  };
  storage.getAlarm = async () => kv.get<VirtualAlarmRecord>(VIRTUAL_ALARM_KEY)?.time ?? null;
  storage.deleteAlarm = async () => {
    kv.delete(VIRTUAL_ALARM_KEY);
  };
  // A native alarm left from before instrumentation must not fire mid-test either.
  nativeDelete().catch((error: unknown) => log.warn('could not clear the native alarm', { error }));
}

/**
 * Wraps a DO class so its alarms are virtual (see the module comment); same `name`.
 * @example export const Reminder = withVirtualAlarms(_Reminder);
 */
export function withVirtualAlarms<T extends DOClass>(DOClass: T): T {
  if (typeof DOClass !== 'function' || !DOClass.prototype) throw new HarnessError('BAD_ARGUMENT', 'withVirtualAlarms() expects a Durable Object class');
  const Wrapped = class extends DOClass {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- forwards the DO constructor's arguments
    constructor(...args: any[]) {
      installVirtualAlarms(args[0] as DurableObjectState);
      super(...args);
    }
  };
  Object.defineProperty(Wrapped, 'name', { value: DOClass.name });
  return Wrapped;
}
