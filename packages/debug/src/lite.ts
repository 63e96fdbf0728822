/**
 * `@lumenize/debug/lite`: loggers with the `DebugLogger` API that carry none of the filter,
 * rendering or sink code, for browser bundles (the mesh client logs through it). Each call first
 * checks whether `@lumenize/debug` is loaded in the same bundle; if it is, the call goes to a real
 * logger (DEBUG filter, JSON records, `setOutput`: every rule of docs/debug.md). If it is not,
 * `debug`/`info`/`warn` do nothing and `error` goes to `console.error` as is. To see the filtered
 * levels in a browser, `import '@lumenize/debug'` once and set `localStorage.DEBUG`.
 * @example const log = debug('MyApp.sync'); log.warn('sync failed', { error });
 */
import { hub } from './hub.ts';
import type { DebugLogger } from './types.ts';

type Args = [message: string, data?: unknown];
type Level = 'debug' | 'info' | 'warn' | 'error';

let hinted = false;

/** Once per page: DEBUG is set, but the logger that would honour it is not in the bundle. */
function hintOnce(): void {
  if (hinted) return;
  hinted = true;
  try {
    const g = globalThis as { process?: { env?: Record<string, unknown> }; localStorage?: { getItem(k: string): unknown } };
    const value = g.process?.env?.DEBUG ?? g.localStorage?.getItem('DEBUG');
    if (typeof value === 'string' && value) console.info(`DEBUG is set, but @lumenize/debug is not loaded: import '@lumenize/debug' once to see filtered logs`);
  } catch {
    // Sandboxed storage or a hostile `process`: no hint.
  }
}

/**
 * A logger for `namespace` that costs one check per call until `@lumenize/debug` is loaded.
 * @example const log = debug('MyApp.sync'); log.error('sync failed', error);
 */
export function debug(namespace: string): DebugLogger {
  if (typeof namespace !== 'string' || namespace === '') throw new TypeError("debug(namespace): expected a non-empty string namespace such as 'MyApp.sync'");
  let real: DebugLogger | undefined;
  const resolve = (): DebugLogger | undefined => (real ??= hub.create?.(namespace));
  const method =
    (level: Level) =>
    (...args: Args): void => {
      const logger = resolve();
      if (logger) return logger[level](...args);
      if (level !== 'error') return hintOnce();
      try {
        console.error(`[${namespace}] ${String(args[0])}`, ...args.slice(1));
      } catch {
        // A logger must never break its caller.
      }
    };
  return {
    namespace,
    get enabled() {
      return resolve()?.enabled ?? false;
    },
    debug: method('debug'),
    info: method('info'),
    warn: method('warn'),
    error: method('error'),
  };
}

export type { DebugLevel, DebugLogger, DebugLogOutput, DebugOptions } from './types.ts';
