/** Client factories for the workerd tests: every request goes through SELF (the test Worker). */
import { SELF, env } from 'cloudflare:test';
import { getWebSocketShim, type Metrics, type WebSocketShimClass } from '@lumenize/utils';
import { createHttpTransport, createRpcClient, createWebSocketTransport, type RpcClient, type WebSocketTransportConfig, type HttpTransportConfig } from '../../src/index.ts';
import type { CounterBase } from '../nodes.ts';
import type { ClientFactory } from '../shared/factory.ts';

export type Kind = 'http' | 'websocket';

/** The ★ matrix: both transports × wrapper, manual routing and a subclass DO. */
export const MATRIX: { label: string; kind: Kind; binding: string }[] = [
  { label: 'http × lumenizeRpcDO', kind: 'http', binding: 'RPC_DO' },
  { label: 'websocket × lumenizeRpcDO', kind: 'websocket', binding: 'RPC_DO' },
  { label: 'http × manual routing', kind: 'http', binding: 'MANUAL_DO' },
  { label: 'websocket × manual routing', kind: 'websocket', binding: 'MANUAL_DO' },
  { label: 'http × subclass', kind: 'http', binding: 'SUB_DO' },
  { label: 'websocket × subclass', kind: 'websocket', binding: 'SUB_DO' },
];

export const BASE_URL = 'https://rpc.test';

export function uniqueName(prefix: string): string {
  return `${prefix}-${crypto.randomUUID()}`;
}

const encoder = new TextEncoder();

/** A fetch through SELF that counts round trips and bytes. */
export function countingFetch(metrics: Metrics): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    metrics.roundTrips = (metrics.roundTrips ?? 0) + 1;
    if (typeof init?.body === 'string') metrics.sentBytes = (metrics.sentBytes ?? 0) + encoder.encode(init.body).byteLength;
    const res = await SELF.fetch(input, init);
    const text = await res.text();
    metrics.receivedBytes = (metrics.receivedBytes ?? 0) + encoder.encode(text).byteLength;
    return new Response(text, { status: res.status, statusText: res.statusText, headers: res.headers });
  }) as typeof fetch;
}

export function shim(metrics?: Metrics): WebSocketShimClass {
  return getWebSocketShim((input, init) => SELF.fetch(input, init), { metrics });
}

export interface ClientOptions {
  metrics?: Metrics;
  http?: HttpTransportConfig;
  ws?: WebSocketTransportConfig;
}

/** The workerd implementation of the shared suites' factory. */
export const workerdFactory: ClientFactory = { make: (kind, binding, name, options) => makeClient(kind, binding, name, options) };

export function makeClient<T = typeof CounterBase>(kind: Kind, binding: string, name: string, options: ClientOptions = {}): RpcClient<T> {
  const metrics = options.metrics ?? {};
  const transport =
    kind === 'http'
      ? createHttpTransport(binding, name, { baseUrl: BASE_URL, fetch: countingFetch(metrics), ...options.http })
      : createWebSocketTransport(binding, name, { baseUrl: BASE_URL, WebSocketClass: shim(metrics), ...options.ws });
  return createRpcClient<T>({ transport });
}

/** The DO stub of a test instance, for direct checks of its storage. */
export function stubOf(binding: string, name: string): DurableObjectStub<CounterBase> {
  return (env as unknown as Record<string, DurableObjectNamespace<CounterBase>>)[binding].getByName(name);
}
