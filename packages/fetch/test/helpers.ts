/** Shared helpers: log capture (tests and nodes share one isolate), stubs, and waiting on state. */
import { env } from 'cloudflare:test';
import { debug, type DebugLogOutput } from '@lumenize/debug';
import { expect } from 'vitest';
import type { Delivery } from './nodes.ts';

export const records: DebugLogOutput[] = [];
debug.setOutput((r) => records.push(r));
debug.configure({ DEBUG: env.DEBUG });

export function mark(): number {
  return records.length;
}

export function logsOf(namespace: string, level?: DebugLogOutput['level'], since = 0): DebugLogOutput[] {
  return records.slice(since).filter((r) => r.namespace === namespace && (level === undefined || r.level === level));
}

let n = 0;
/** A fresh instance name per use: tests never share state. */
export function unique(label: string): string {
  return `${label}-${++n}-${crypto.randomUUID().slice(0, 8)}`;
}

export const origin = (name: string) => env.FETCH_DO.getByName(name);
export const endpoints = (name: string) => env.TEST_ENDPOINTS_DO.getByName(name);

/** Opts that route the executor's request to the in-process test endpoints. */
export const OFFLINE = { outboundBinding: 'TEST_ENDPOINTS' } as const;

/** Waits until `tag` has `count` deliveries (state is polled, never slept on), then returns them. */
export async function deliveriesOf(name: string, tag: string, count = 1): Promise<Delivery[]> {
  await expect.poll(async () => ((await origin(name).deliveries(tag)) as unknown as Delivery[]).length, { timeout: 20_000, interval: 10 }).toBeGreaterThanOrEqual(count);
  return (await origin(name).deliveries(tag)) as unknown as Delivery[];
}

/** Waits until the test-endpoints instance has answered (recorded a response). */
export async function answered(name: string): Promise<void> {
  await expect.poll(async () => (await endpoints(name).trackingSnapshot()).response !== undefined, { timeout: 20_000, interval: 10 }).toBe(true);
}

/** Polls `read` until `done` holds (state, never a sleep), then returns the value. */
export async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeout = 20_000): Promise<T> {
  await expect.poll(async () => done(await read()), { timeout, interval: 10 }).toBe(true);
  return read();
}

/** Waits until the endpoint instance holds a `/hold/{key}` request (the upstream is in flight). */
export async function holding(name: string, key: string): Promise<void> {
  await until(() => endpoints(name).held(), (keys) => keys.includes(key));
}

/** Waits until a log record matching `match` appears after `since`. */
export async function logged(namespace: string, level: DebugLogOutput['level'], match: (r: DebugLogOutput) => boolean, since = 0): Promise<DebugLogOutput> {
  await expect.poll(() => logsOf(namespace, level, since).some(match), { timeout: 20_000, interval: 10 }).toBe(true);
  return logsOf(namespace, level, since).find(match)!;
}
