/** Log levels, from most to least verbose. `error` is never filtered. */
export type DebugLevel = 'debug' | 'info' | 'warn' | 'error';

/** Reserved for later use; passing it changes nothing today. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type DebugOptions = {};

/** One log record, as handed to the sink. `data` is present only when the caller passed data. */
export interface DebugLogOutput {
  type: 'debug';
  level: DebugLevel;
  namespace: string;
  message: string;
  timestamp: string;
  data?: unknown;
}

/** A namespaced logger. `enabled` is true when any of debug/info/warn would print. */
export interface DebugLogger {
  readonly namespace: string;
  readonly enabled: boolean;
  debug(message: string, data?: unknown, options?: DebugOptions): void;
  info(message: string, data?: unknown, options?: DebugOptions): void;
  warn(message: string, data?: unknown, options?: DebugOptions): void;
  error(message: string, data?: unknown, options?: DebugOptions): void;
}

/** Anything carrying an optional `env.DEBUG` (a Durable Object, a Worker entrypoint, `{ env }`). */
export interface DebugEnv {
  DEBUG?: unknown;
}

export const LEVELS: readonly DebugLevel[] = ['debug', 'info', 'warn', 'error'];

/** Index of a level in {@link LEVELS}; higher is less verbose. */
export function levelRank(level: DebugLevel): number {
  return LEVELS.indexOf(level);
}
