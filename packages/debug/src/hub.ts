/**
 * Where `@lumenize/debug/lite` loggers find the real logger: debug.ts registers its factory here
 * when it loads. Until then lite loggers print only errors (see lite.ts).
 */
import type { DebugLogger } from './types.ts';

export const hub: { create?: (namespace: string) => DebugLogger } = {};
