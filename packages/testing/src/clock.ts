/**
 * The virtual clock for alarm time travel: `Date.now()` and `new Date()` in this isolate (the test
 * and every Durable Object of the test Worker, which share it) read real time plus an offset that
 * only the test moves. Timers are untouched.
 */
import { debug } from '@lumenize/debug';
import { HarnessError } from './errors.ts';

const RealDate = globalThis.Date;
const log = debug('lmz.testing.testClock');
let offset = 0;
let installed = false;

const virtualNow = () => RealDate.now() + offset;

function install(): void {
  if (installed) return;
  installed = true;
  globalThis.Date = new Proxy(RealDate, {
    construct(target, args, newTarget) {
      return Reflect.construct(target, args.length === 0 ? [virtualNow()] : args, newTarget) as object;
    },
    apply() {
      return new RealDate(virtualNow()).toString();
    },
    get(target, key) {
      return key === 'now' ? virtualNow : Reflect.get(target, key);
    },
  });
}

/**
 * Moves the isolate's time forward for alarm time travel (see {@link runNextAlarm}).
 * @example testClock.advance(60_000); // Date.now() is a minute later, here and in every DO
 */
export const testClock = {
  /** Virtual now, epoch milliseconds. */
  now(): number {
    return virtualNow();
  },
  /** How far the virtual clock is ahead of real time, in milliseconds. */
  get offset(): number {
    return offset;
  },
  /** Moves time forward by `ms` (a finite number ≥ 0). */
  advance(ms: number): number {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
      throw new HarnessError('BAD_ARGUMENT', `testClock.advance(ms): expected a finite number of milliseconds >= 0, got ${String(ms)}`);
    }
    install();
    offset += ms;
    log.debug('advanced', { ms, offset });
    return virtualNow();
  },
  /** Moves time forward to `epochMs` if it lies in the future (never backwards). */
  advanceTo(epochMs: number): number {
    if (typeof epochMs !== 'number' || !Number.isFinite(epochMs)) {
      throw new HarnessError('BAD_ARGUMENT', `testClock.advanceTo(epochMs): expected a finite epoch time, got ${String(epochMs)}`);
    }
    const ahead = epochMs - virtualNow();
    return ahead > 0 ? this.advance(ahead) : virtualNow();
  },
  /** Back to real time and the platform's own `Date` (call in `afterEach`). */
  reset(): void {
    offset = 0;
    if (installed) globalThis.Date = RealDate;
    installed = false;
  },
};
