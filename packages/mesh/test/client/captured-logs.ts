/**
 * Expected warnings, captured and asserted instead of printed: a test that feeds the gateway hostile
 * frames makes it log each refusal (at warn, enabled by this project's DEBUG), hundreds of lines that
 * would bury real failures in `npm test` output. The DOs share the test's isolate, so the sink sees them.
 */
import { debug, type DebugLogOutput } from '@lumenize/debug';

/** The test Worker has no rate-limit binding on purpose; the gateway says so once per instance. */
const NO_RATE_LIMITER = /^rate-limit binding LUMENIZE_GATEWAY_RATE_LIMITER is missing/;

export interface CapturedLogs {
  readonly records: DebugLogOutput[];
  /** Records other than the expected ones (each `expected` is a warn message). */
  unexpected(expected: readonly string[]): DebugLogOutput[];
  /** How many records carry `message`. */
  count(message: string): number;
  /** Restores the console sink. */
  stop(): void;
}

export function captureLogs(): CapturedLogs {
  const records: DebugLogOutput[] = [];
  debug.setOutput((r) => records.push(r));
  return {
    records,
    unexpected: (expected) => records.filter((r) => !(r.level === 'warn' && expected.includes(r.message)) && !NO_RATE_LIMITER.test(r.message)),
    count: (message) => records.filter((r) => r.message === message).length,
    stop: () => debug.setOutput(),
  };
}
