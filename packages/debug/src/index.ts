export { debug, type DebugFactory } from './debug.ts';
export type { DebugLevel, DebugLogger, DebugLogOutput, DebugOptions, DebugEnv } from './types.ts';
