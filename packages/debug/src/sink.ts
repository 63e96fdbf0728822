/** The default sink: one single-line JSON string per record, through the console method of its level. */
import type { DebugLogOutput } from './types.ts';

type ConsoleLike = Partial<Record<'debug' | 'info' | 'warn' | 'error' | 'log', (line: string) => void>>;

export function renderSink(record: DebugLogOutput): void {
  const out = (globalThis as { console?: ConsoleLike }).console;
  if (!out) return;
  const method = out[record.level] ?? out.log;
  method?.call(out, JSON.stringify(record));
}
