/**
 * The factory for runtimes outside workerd (a Node process, Chromium): the platform's own fetch and
 * WebSocket against `wrangler dev`. The WebSocket class is strict (throws on http(s) URLs, item 40).
 */
import { createHttpTransport, createRpcClient, createWebSocketTransport } from '../../src/index.ts';
import { countingFetch, countingWebSocket, type ClientFactory } from './factory.ts';

export function devFactory(baseUrl: string): ClientFactory {
  return {
    make: (kind, binding, name, options = {}) => {
      const metrics = options.metrics ?? {};
      const transport =
        kind === 'http'
          ? createHttpTransport(binding, name, { baseUrl, fetch: countingFetch(metrics, (i, init) => fetch(i, init)), ...options.http })
          : createWebSocketTransport(binding, name, { baseUrl, WebSocketClass: countingWebSocket(metrics), ...options.ws });
      return createRpcClient({ transport });
    },
  };
}
