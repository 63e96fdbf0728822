/**
 * `debug(namespace)` makes a logger; `debug(instance)` configures from `instance.env` and returns a
 * logger factory. Filtered-out calls build nothing, read no clock and render no data.
 */
import { configure, refreshAutoDetected, reset, setOutput, state } from './config.ts';
import { renderData } from './render.ts';
import type { DebugEnv, DebugLevel, DebugLogger, DebugLogOutput } from './types.ts';

class Logger implements DebugLogger {
  readonly namespace: string;
  #generation = -1;
  #debug = false;
  #info = false;
  #warn = false;

  constructor(namespace: string) {
    this.namespace = namespace;
  }

  get enabled(): boolean {
    this.#sync();
    return this.#debug || this.#info || this.#warn;
  }

  debug(message: string, data?: unknown): void {
    this.#sync();
    if (this.#debug) emit('debug', this.namespace, message, data, arguments.length > 1);
  }

  info(message: string, data?: unknown): void {
    this.#sync();
    if (this.#info) emit('info', this.namespace, message, data, arguments.length > 1);
  }

  warn(message: string, data?: unknown): void {
    this.#sync();
    if (this.#warn) emit('warn', this.namespace, message, data, arguments.length > 1);
  }

  error(message: string, data?: unknown): void {
    emit('error', this.namespace, message, data, arguments.length > 1);
  }

  /** Re-evaluates the filter once per configuration generation. */
  #sync(): void {
    if (this.#generation === state.generation) return;
    const { filter } = state;
    this.#debug = filter.isEnabled(this.namespace, 'debug');
    this.#info = filter.isEnabled(this.namespace, 'info');
    this.#warn = filter.isEnabled(this.namespace, 'warn');
    this.#generation = state.generation;
  }
}

function emit(level: DebugLevel, namespace: string, message: unknown, data: unknown, hasData: boolean): void {
  const record: DebugLogOutput = {
    type: 'debug',
    level,
    namespace,
    message: typeof message === 'string' ? message : String(message),
    timestamp: new Date().toISOString(),
  };
  if (hasData) record.data = renderData(data);
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
    const env = (arg as { env?: unknown }).env;
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
