/**
 * Deprecated alarm simulation (spec §3.10): `setAlarm(t)` schedules `alarm()` on a timer after
 * `(t - now) / timeScale`, with scaled retries. Kept only for third-party alarm multiplexers;
 * prefer virtual alarms with {@link runNextAlarm}, `runDurableObjectAlarm()` or calling handlers.
 * Timers live in memory: an evicted DO forgets its simulated alarm.
 */
import { debug } from '@lumenize/debug';
import { alarmTime, type DOClass } from './virtual-alarms.ts';

/** Options of `simulateAlarms`. */
export interface AlarmSimulationConfig {
  /** Real time runs this many times faster (default 100: a 10 s alarm fires after ~100 ms). */
  timeScale?: number;
  /** Retries after a throwing `alarm()` (default 6: after 2, 4, … 64 s, scaled). */
  maxRetries?: number;
  /** Log every simulation event at info level. */
  debug?: boolean;
}

const log = debug('lmz.testing.simulateAlarms');

interface Alarmed {
  alarm?(info: { retryCount: number; isRetry: boolean; scheduledTime: number }): unknown;
}

/** Replaces the alarm methods of one DO's storage with the timer-driven simulation. */
export function installAlarmSimulation(ctx: DurableObjectState, config: AlarmSimulationConfig, instance: () => Alarmed | undefined): void {
  const timeScale = config.timeScale ?? 100;
  const maxRetries = config.maxRetries ?? 6;
  if (!(timeScale > 0) || !Number.isFinite(timeScale)) throw new RangeError(`simulateAlarms.timeScale must be a positive number, got ${String(config.timeScale)}`);
  if (!Number.isInteger(maxRetries) || maxRetries < 0) throw new RangeError(`simulateAlarms.maxRetries must be an integer >= 0, got ${String(config.maxRetries)}`);
  const note = (message: string, data: Record<string, unknown>) => (config.debug ? log.info(message, data) : log.debug(message, data));
  const storage = ctx.storage;
  let pending: number | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const cancel = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  const fire = async (retryCount: number, scheduled: number) => {
    timer = undefined;
    pending = null;
    const target = instance();
    if (typeof target?.alarm !== 'function') return;
    note('alarm firing', { retryCount });
    try {
      await target.alarm({ retryCount, isRetry: retryCount > 0, scheduledTime: scheduled });
    } catch (error) {
      if (retryCount >= maxRetries) {
        log.warn('alarm kept failing; giving up', { retries: retryCount, error });
        return;
      }
      const delay = (2 ** (retryCount + 1) * 1000) / timeScale;
      note('alarm failed; retrying', { retryCount: retryCount + 1, delay, error });
      timer = setTimeout(() => void fire(retryCount + 1, scheduled), delay);
    }
  };

  storage.setAlarm = async (scheduledTime: number | Date) => {
    const time = alarmTime(scheduledTime, 'simulateAlarms');
    cancel();
    pending = time;
    const delay = Math.max(0, time - Date.now()) / timeScale;
    note('alarm scheduled', { time, delay });
    timer = setTimeout(() => void fire(0, time), delay);
  };
  storage.getAlarm = async () => pending;
  storage.deleteAlarm = async () => {
    cancel();
    pending = null;
  };
}

/**
 * Wraps a DO class with the deprecated alarm simulation; same `name`.
 * @deprecated Use virtual alarms ({@link withVirtualAlarms}) and drive them with {@link runNextAlarm}.
 */
export function withAlarmSimulation<T extends DOClass>(DOClass: T, config: AlarmSimulationConfig = {}): T {
  const Wrapped = class extends DOClass {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- forwards the DO constructor's arguments
    constructor(...args: any[]) {
      let self: Alarmed | undefined;
      installAlarmSimulation(args[0] as DurableObjectState, config, () => self);
      super(...args);
      self = this as Alarmed;
    }
  };
  Object.defineProperty(Wrapped, 'name', { value: DOClass.name });
  return Wrapped;
}
