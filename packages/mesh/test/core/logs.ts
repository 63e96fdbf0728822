/**
 * Captures every debug record of the isolate (tests and nodes share it) so tests can assert on
 * logs and the test output stays quiet. Imported by every test file.
 */
import { env } from 'cloudflare:test';
import { debug, type DebugLogOutput } from '@lumenize/debug';

export const records: DebugLogOutput[] = [];
debug.setOutput((r) => records.push(r));
// The same filter the nodes configure from env.DEBUG, so test-side calls log alike.
debug.configure({ DEBUG: env.DEBUG });

/** Records of one namespace (and optionally level) since the given mark. */
export function logsOf(namespace: string, level?: DebugLogOutput['level'], since = 0): DebugLogOutput[] {
  return records.slice(since).filter((r) => r.namespace === namespace && (level === undefined || r.level === level));
}

/** The current position in the record list. */
export function mark(): number {
  return records.length;
}
