/**
 * Isolate-wide configuration: where the DEBUG value comes from, the parsed filter, the sink, and a
 * generation counter that lets existing loggers re-evaluate lazily after any change.
 */
import { parseFilter, type DebugFilter } from './filter.ts';
import { renderSink } from './sink.ts';
import type { DebugEnv, DebugLogOutput } from './types.ts';

interface ConfigState {
  /** True once `configure()` was called; auto-detection stops until `reset()`. */
  explicit: boolean;
  /** The DEBUG value in force (explicit or last auto-detected). */
  value: string | undefined;
  filter: DebugFilter;
  generation: number;
  sink: (record: DebugLogOutput) => void;
}

export const state: ConfigState = {
  explicit: false,
  value: undefined,
  filter: parseFilter(undefined),
  generation: 0,
  sink: renderSink,
};

function apply(value: string | undefined, force = false): void {
  if (value === state.value && !force) return;
  state.value = value;
  state.filter = parseFilter(value);
  state.generation++;
}

/** Reads `process.env.DEBUG`, then `localStorage.DEBUG`; any exception counts as unset. */
function autoDetect(): string | undefined {
  const g = globalThis as { process?: { env?: Record<string, unknown> }; localStorage?: { getItem(k: string): unknown } };
  try {
    const fromProcess = g.process?.env?.DEBUG;
    if (typeof fromProcess === 'string') return fromProcess;
  } catch {
    // A hostile or sandboxed `process` counts as unset.
  }
  try {
    const fromStorage = g.localStorage?.getItem('DEBUG');
    if (typeof fromStorage === 'string') return fromStorage;
  } catch {
    // Sandboxed frames throw on localStorage access.
  }
  return undefined;
}

/** Called when a logger is created: picks up auto-detected changes unless configured explicitly. */
export function refreshAutoDetected(): void {
  if (!state.explicit) apply(autoDetect());
}

export function configure(env?: DebugEnv): void {
  state.explicit = true;
  let value: unknown;
  try {
    value = env?.DEBUG;
  } catch {
    // A throwing DEBUG getter counts as "no DEBUG": filtered levels off.
    value = undefined;
  }
  apply(typeof value === 'string' ? value : undefined, true);
}

export function reset(): void {
  state.explicit = false;
  state.sink = renderSink;
  apply(autoDetect(), true);
}

export function setOutput(sink?: (record: DebugLogOutput) => void): void {
  if (sink !== undefined && typeof sink !== 'function') {
    // Caught here, not at the next log call, where every record would vanish silently.
    throw new TypeError(`debug.setOutput(sink): sink must be a function receiving each record (or nothing to restore the console), got ${sink === null ? 'null' : typeof sink}`);
  }
  state.sink = sink ?? renderSink;
}
