/** The default sink: one single-line JSON string per record, through the console method of its level. */
import { describeThrown } from './safe-text.ts';
import type { DebugLogOutput } from './types.ts';

type ConsoleLike = Partial<Record<'debug' | 'info' | 'warn' | 'error' | 'log', (line: string) => void>>;

/** The record as one JSON line; if its data still cannot be written (too large), the data is replaced. */
function line(record: DebugLogOutput): string {
  try {
    return JSON.stringify(record);
  } catch (error) {
    return JSON.stringify({ ...record, data: `[Unserializable: ${describeThrown(error)}]` });
  }
}

export function renderSink(record: DebugLogOutput): void {
  const out = (globalThis as { console?: ConsoleLike }).console;
  if (!out) return;
  const method = out[record.level] ?? out.log;
  method?.call(out, line(record));
}
