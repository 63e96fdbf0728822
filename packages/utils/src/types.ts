/** Counters kept by `Browser` and the WebSocket shim when given a `metrics` object (spec §4). */
export type Metrics = Record<string, number>;

/** Adds `amount` to `metrics[key]` (missing keys start at 0). */
export function addMetric(metrics: Metrics | undefined, key: string, amount = 1): void {
  if (metrics) metrics[key] = (metrics[key] ?? 0) + amount;
}

/** One cookie as parsed from `Set-Cookie` or stored in a `Browser` jar. */
export interface Cookie {
  name: string;
  value: string;
  domain?: string;
  path?: string;
  expires?: Date;
  maxAge?: number;
  httpOnly?: boolean;
  secure?: boolean;
  sameSite?: 'Strict' | 'Lax' | 'None';
  /** True when the cookie came without `Domain` and must only go back to the exact host. */
  hostOnly?: boolean;
}
