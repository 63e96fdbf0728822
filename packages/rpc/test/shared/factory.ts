/**
 * What the shared suites need from a runtime: a client factory (workerd: through SELF and the utils
 * shim; Node and Chromium: real fetch and WebSocket against `wrangler dev`). Metrics count HTTP round
 * trips and WebSocket upgrades/messages/bytes the same way everywhere.
 */
import type { HttpTransportConfig, RpcClient, WebSocketTransportConfig } from '../../src/index.ts';
import type { CounterBase } from '../nodes.ts';

export type Kind = 'http' | 'websocket';
export type Metrics = Record<string, number>;

export interface ClientOptions {
  metrics?: Metrics;
  http?: HttpTransportConfig;
  ws?: WebSocketTransportConfig;
}

export interface ClientFactory {
  make<T = typeof CounterBase>(kind: Kind, binding: string, name: string, options?: ClientOptions): RpcClient<T>;
}

/** The ★ matrix: both transports × wrapper, manual routing and a subclass DO. */
export const MATRIX: { label: string; kind: Kind; binding: string }[] = [
  { label: 'http × lumenizeRpcDO', kind: 'http', binding: 'RPC_DO' },
  { label: 'websocket × lumenizeRpcDO', kind: 'websocket', binding: 'RPC_DO' },
  { label: 'http × manual routing', kind: 'http', binding: 'MANUAL_DO' },
  { label: 'websocket × manual routing', kind: 'websocket', binding: 'MANUAL_DO' },
  { label: 'http × subclass', kind: 'http', binding: 'SUB_DO' },
  { label: 'websocket × subclass', kind: 'websocket', binding: 'SUB_DO' },
  { label: 'websocket × lumenizeRpcDO, hibernate: false', kind: 'websocket', binding: 'ACCEPT_DO' },
];

export function uniqueName(prefix: string): string {
  return `${prefix}-${crypto.randomUUID()}`;
}

const encoder = new TextEncoder();
const add = (m: Metrics | undefined, k: string, n = 1) => {
  if (m) m[k] = (m[k] ?? 0) + n;
};

/** A fetch that counts round trips and body bytes. */
export function countingFetch(metrics: Metrics, inner: typeof fetch): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    add(metrics, 'roundTrips');
    if (typeof init?.body === 'string') add(metrics, 'sentBytes', encoder.encode(init.body).byteLength);
    const res = await inner(input, init);
    const text = await res.text();
    add(metrics, 'receivedBytes', encoder.encode(text).byteLength);
    return new Response(text, { status: res.status, statusText: res.statusText, headers: res.headers });
  }) as typeof fetch;
}

/** A WebSocket class (browser/Node built-in) that counts upgrades, messages and bytes. */
export function countingWebSocket(metrics: Metrics | undefined, Base: typeof WebSocket = globalThis.WebSocket): typeof WebSocket {
  return class CountingWebSocket extends Base {
    constructor(url: string | URL, protocols?: string | string[]) {
      if (!/^wss?:/.test(String(url))) throw new SyntaxError(`strict WebSocket: URL scheme must be ws: or wss:, got ${String(url)}`);
      super(String(url), protocols);
      add(metrics, 'wsUpgradeRequests');
      this.addEventListener('message', (e: MessageEvent) => {
        add(metrics, 'wsReceivedMessages');
        if (typeof e.data === 'string') add(metrics, 'wsReceivedBytes', encoder.encode(e.data).byteLength);
      });
    }
    override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
      add(metrics, 'wsSentMessages');
      if (typeof data === 'string') add(metrics, 'wsSentBytes', encoder.encode(data).byteLength);
      super.send(data as string);
    }
  } as unknown as typeof WebSocket;
}
