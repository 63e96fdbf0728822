/**
 * `createTestingClient`: an `@lumenize/rpc` client with testing defaults (spec §2.1, §3.1). Every
 * call goes through the Worker (`SELF.fetch` in-process, a real URL in live mode), so the DO's
 * input/output gates apply, unlike `runInDurableObject`.
 */
import { debug } from '@lumenize/debug';
import { createHttpTransport, createRpcClient, createWebSocketTransport, type RpcClient, type RpcClientConfig } from '@lumenize/rpc';
import { getWebSocketShim } from '@lumenize/utils';
import { isWorkerd, selfFetch } from './cloudflare-test.ts';
import { RpcRouteError, TestingEnvironmentError } from './errors.ts';
import type { TestingClientExtras } from './field-writes.ts';
import { assertGuardToken, GUARD_HEADER, GUARD_PROTOCOL_PREFIX } from './guard.ts';

/** Options of {@link createTestingClient} (all optional). */
export interface TestingClientConfig {
  /** `'http'` (default) or `'websocket'`; forced to `'websocket'` by `onDownstream` / `onClose`. */
  transport?: 'http' | 'websocket';
  /** Messages the DO pushes with `sendDownstream` to this client's id. */
  onDownstream?: RpcClientConfig['onDownstream'];
  /** The socket closed (WebSocket mode). */
  onClose?: (code: number, reason: string) => void | Promise<void>;
  /** Downstream target id; default `test-client-<uuid>` when `onDownstream` is set. */
  clientId?: string;
  /** RPC prefix; must match `instrumentDOProject`'s (default `'__rpc'`). */
  prefix?: string;
  /** In-process a placeholder (only the path matters); in live mode the `wrangler dev` or deployed URL. */
  baseUrl?: string;
  /** Override of the HTTP fetch (default `SELF.fetch` in-process, `globalThis.fetch` in live mode). */
  fetch?: typeof fetch;
  /** Override of the WebSocket class (default the shim over `SELF.fetch`, or `globalThis.WebSocket` live). */
  WebSocketClass?: typeof WebSocket;
  /** Sent as `X-Lumenize-Testing-Token` (HTTP) or a subprotocol (WebSocket) to a guarded Worker. */
  guardToken?: string;
  /** Per-batch timeout in ms (rpc default 30 s). */
  timeout?: number;
}

/** What {@link createTestingClient} returns: the rpc client of `T` plus `__set` for field writes. */
export type TestingClient<T> = RpcClient<T> & TestingClientExtras;

/** The in-process placeholder origin (only the path reaches the Worker). */
export const PLACEHOLDER_BASE_URL = 'https://fake-host.com';

const log = debug('lmz.testing.createTestingClient');

function isRpcAnswer(text: string): boolean {
  try {
    return Array.isArray(JSON.parse(text));
  } catch {
    return false;
  }
}

/** Turns a non-RPC error answer (router 404/400, guard 401) into an RpcRouteError with its status and text. */
function surfacingRouteErrors(fetchFn: typeof fetch): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const response = await fetchFn(input, init);
    if (response.status < 400) return response;
    const text = await response.clone().text();
    if (isRpcAnswer(text)) return response;
    throw new RpcRouteError(response.status, text, input instanceof Request ? input.url : String(input));
  }) as typeof fetch;
}

/**
 * An RPC client to `doBindingName`/`doInstanceNameOrId` with full access: read and write storage,
 * instance fields, `env`, `getWebSockets()`, and call any method. Every read needs `await`.
 * @example using client = createTestingClient<typeof MyDO>('MY_DO', 'x'); await client.ctx.storage.kv.put('count', 10);
 */
export function createTestingClient<T>(doBindingName: string, doInstanceNameOrId: string, config: TestingClientConfig = {}): TestingClient<T> {
  const live = (config.baseUrl !== undefined && config.baseUrl !== PLACEHOLDER_BASE_URL) || config.fetch !== undefined || config.WebSocketClass !== undefined;
  if (!live && !isWorkerd()) {
    throw new TestingEnvironmentError(
      'createTestingClient requires the Cloudflare Workers vitest environment (@cloudflare/vitest-plugin). ' +
        'Outside it, use live mode: pass baseUrl (a wrangler dev or deployed test Worker URL), optionally fetch / WebSocketClass, and guardToken.',
    );
  }
  if (config.guardToken !== undefined) assertGuardToken(config.guardToken, 'createTestingClient');
  const baseUrl = config.baseUrl ?? PLACEHOLDER_BASE_URL;
  const prefix = config.prefix ?? '__rpc';
  const websocket = config.transport === 'websocket' || config.onDownstream !== undefined || config.onClose !== undefined;
  const clientId = config.clientId ?? (config.onDownstream ? `test-client-${crypto.randomUUID()}` : undefined);

  let transport;
  if (websocket) {
    const WebSocketClass = config.WebSocketClass ?? (live ? globalThis.WebSocket : (getWebSocketShim(selfFetch) as unknown as typeof WebSocket));
    transport = createWebSocketTransport(doBindingName, doInstanceNameOrId, {
      baseUrl,
      prefix,
      timeout: config.timeout,
      WebSocketClass,
      clientId,
      additionalProtocols: config.guardToken ? [`${GUARD_PROTOCOL_PREFIX}${config.guardToken}`] : undefined,
    });
  } else {
    const fetchFn = config.fetch ?? (live ? globalThis.fetch.bind(globalThis) : selfFetch);
    transport = createHttpTransport(doBindingName, doInstanceNameOrId, {
      baseUrl,
      prefix,
      timeout: config.timeout,
      fetch: surfacingRouteErrors(fetchFn),
      headers: config.guardToken ? { [GUARD_HEADER]: config.guardToken } : undefined,
    });
  }
  log.debug('client created', { binding: doBindingName, instance: doInstanceNameOrId, transport: websocket ? 'websocket' : 'http', live, clientId });
  return createRpcClient<T>({ transport, clientId, onDownstream: config.onDownstream, onClose: config.onClose }) as TestingClient<T>;
}
