/** Shared helpers for the workerd tests. */
import type { EchoReport } from './echo-do.ts';

/** Reads the JSON report an echo DO returns. */
export async function report(response: Response | undefined): Promise<EchoReport> {
  if (!response) throw new Error('expected a response, got undefined');
  return (await response.json()) as EchoReport;
}

let counter = 0;
/** A fresh instance name per call (WebSocket tests cannot use isolated storage). */
export function unique(label: string): string {
  counter++;
  return `${label}-${counter}-${crypto.randomUUID().slice(0, 8)}`;
}
