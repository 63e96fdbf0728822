/**
 * `debug(namespace)` makes a logger; `debug(instance)` configures from `instance.env` and returns a
 * logger factory. Filtered-out calls build nothing, read no clock and render no data.
 */
import { configure, refreshAutoDetected, reset, setOutput, state } from './config.ts';
import { hub } from './hub.ts';
import { renderData } from './render.ts';
import { describeThrown, safeString } from './safe-text.ts';
import type { DebugEnv, DebugLevel, DebugLogger, DebugLogOutput } from './types.ts';

type LogMethod = DebugLogger['debug'];

class Logger implements DebugLogger {
  readonly namespace: string;
  #generation = -1;
  #debug = false;
  #info = false;
  #warn = false;
  // Own bound methods, so a detached call (`promise.catch(log.error)`) still logs instead of throwing.
  readonly debug: LogMethod;
  readonly info: LogMethod;
  readonly warn: LogMethod;
  readonly error: LogMethod;

  constructor(namespace: string) {
    this.namespace = namespace;
    const self = this;
    this.debug = function (message: string, data?: unknown): void {
      if (self.#sync().#debug) emit('debug', namespace, message, data, arguments.length > 1);
    };
    this.info = function (message: string, data?: unknown): void {
      if (self.#sync().#info) emit('info', namespace, message, data, arguments.length > 1);
    };
    this.warn = function (message: string, data?: unknown): void {
      if (self.#sync().#warn) emit('warn', namespace, message, data, arguments.length > 1);
    };
    this.error = function (message: string, data?: unknown): void {
      emit('error', namespace, message, data, arguments.length > 1);
    };
  }

  get enabled(): boolean {
    this.#sync();
    return this.#debug || this.#info || this.#warn;
  }

  /** Re-evaluates the filter once per configuration generation. */
  #sync(): this {
    if (this.#generation === state.generation) return this;
    const { filter } = state;
    this.#debug = filter.isEnabled(this.namespace, 'debug');
    this.#info = filter.isEnabled(this.namespace, 'info');
    this.#warn = filter.isEnabled(this.namespace, 'warn');
    this.#generation = state.generation;
    return this;
  }
}

/** Builds and sinks one record. Never throws: a logger must not break its caller, whatever it is given. */
function emit(level: DebugLevel, namespace: string, message: unknown, data: unknown, hasData: boolean): void {
  let record: DebugLogOutput;
  try {
    record = { type: 'debug', level, namespace, message: safeString(message), timestamp: new Date().toISOString() };
    if (hasData) record.data = renderData(data);
  } catch (error) {
    // Only a tampered global (Date, String) gets here; still emit what is known.
    record = { type: 'debug', level, namespace, message: `[unprintable record: ${describeThrown(error)}]`, timestamp: '' };
  }
  try {
    state.sink(record);
  } catch {
    // A broken sink must never break the caller.
  }
}

function createLogger(namespace: unknown): DebugLogger {
  if (typeof namespace !== 'string' || namespace === '') {
    throw new TypeError(`debug(namespace): expected a non-empty string namespace such as 'MyApp.sync', got ${namespace === '' ? 'an empty string' : typeof namespace}`);
  }
  refreshAutoDetected();
  return new Logger(namespace);
}

/** Logger factory returned by `debug(instance)`. */
export type DebugFactory = (namespace: string) => DebugLogger;

interface DebugFunction {
  /** A logger for `namespace`, e.g. `debug('MyApp.sync').info('synced', { count })`. */
  (namespace: string): DebugLogger;
  /** Configures from `instance.env` when present and returns a factory: `#log = debug(this)`. */
  (instance: { env?: DebugEnv } | object): DebugFactory;
  /** Sets the DEBUG filter explicitly; wins over auto-detection until `reset()`. */
  configure(env?: DebugEnv): void;
  /** Clears explicit configuration and the custom sink; back to auto-detection. */
  reset(): void;
  /** Replaces the sink (receives record objects); no argument restores the console sink. */
  setOutput(sink?: (record: DebugLogOutput) => void): void;
}

function debugImpl(arg: unknown): DebugLogger | DebugFactory {
  if (typeof arg === 'object' && arg !== null) {
    let env: unknown;
    try {
      env = (arg as { env?: unknown }).env;
    } catch {
      // An instance whose `env` getter throws has no usable env: auto-detected configuration.
      env = undefined;
    }
    if (typeof env === 'object' && env !== null) configure(env as DebugEnv);
    return (namespace: string) => createLogger(namespace);
  }
  return createLogger(arg);
}

/**
 * Namespaced, levelled JSON logging. See docs/debug.md.
 * @example const log = debug('MyApp.sync'); log.info('synced', { count: 3 });
 */
export const debug: DebugFunction = Object.assign(debugImpl as DebugFunction, { configure, reset, setOutput });

// `@lumenize/debug/lite` loggers in the same bundle delegate to real ones from now on.
hub.create = createLogger;
