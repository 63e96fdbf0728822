/**
 * WebSocket transport (spec §3.8): lazy shared connect, many batches in flight, per-batch timeout,
 * downstream messages, keep-alive reconnect with backoff, synchronous dispose. User callbacks are
 * guarded: their exceptions are logged and never break the transport.
 */
import { debug } from '@lumenize/debug';
import type { RpcBatchRequest, RpcBatchResponse, RpcTransport } from '../types.ts';
import { CLIENT_ID_PROTOCOL_PREFIX, DEFAULT_PREFIX, DEFAULT_TIMEOUT_MS, DOWNSTREAM_TYPE, prefixType, RECONNECT_INITIAL_MS, RECONNECT_MAX_MS, RPC_SUBPROTOCOL, WIRE_VERSION } from '../limits.ts';
import { RpcTransportError } from '../errors.ts';
import { decodeValue, parseResponseMessage } from '../wire.ts';
import { encodeBatchRequest } from './encoded-batch.ts';
import { defaultBaseUrl, endpointUrl, socketUrl } from './endpoint.ts';
import { assertClientId } from './client-id.ts';

const log = debug('lmz.rpc.websocket');

export interface WebSocketTransportConfig {
  baseUrl?: string;
  prefix?: string;
  timeout?: number;
  WebSocketClass?: typeof WebSocket;
  clientId?: string;
  additionalProtocols?: string[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- payloads are whatever the DO sends
  onDownstream?: (payload: any) => void | Promise<void>;
  onClose?: (code: number, reason: string) => void | Promise<void>;
  onConnectionChange?: (connected: boolean) => void | Promise<void>;
}

interface Pending {
  resolve(r: RpcBatchResponse): void;
  reject(e: unknown): void;
  timer: ReturnType<typeof setTimeout>;
}

/** The browser-style socket members used here (browsers, Node 22, the utils shim). */
interface Socket {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  /** The utils shim exposes the upgrade response. */
  readonly response?: { status?: number };
}

async function guard(name: string, fn: (() => void | Promise<void>) | undefined): Promise<void> {
  if (!fn) return;
  try {
    await fn();
  } catch (error) {
    log.warn(`${name} callback threw`, { error: String(error) });
  }
}

export class WebSocketRpcTransport implements RpcTransport {
  readonly url: string;
  readonly #type: string;
  readonly #timeout: number;
  readonly #WebSocketClass: typeof WebSocket | undefined;
  readonly #additionalProtocols: string[];
  #clientId: string | undefined;
  #onDownstream: WebSocketTransportConfig['onDownstream'];
  #onClose: WebSocketTransportConfig['onClose'];
  readonly #onConnectionChange: WebSocketTransportConfig['onConnectionChange'];
  #socket: Socket | undefined;
  #connecting: Promise<void> | undefined;
  #pending = new Map<number, Pending>();
  #keepAlive = false;
  #backoff = RECONNECT_INITIAL_MS;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #abortConnect: ((e: Error) => void) | undefined;

  constructor(doBindingName: string, doInstanceNameOrId: string, config: WebSocketTransportConfig = {}) {
    const prefix = config.prefix ?? DEFAULT_PREFIX;
    this.#type = prefixType(prefix);
    this.url = socketUrl(endpointUrl(config.baseUrl ?? defaultBaseUrl(), prefix, doBindingName, doInstanceNameOrId));
    this.#timeout = config.timeout ?? DEFAULT_TIMEOUT_MS;
    this.#WebSocketClass = config.WebSocketClass ?? (globalThis as { WebSocket?: typeof WebSocket }).WebSocket;
    this.#additionalProtocols = config.additionalProtocols ?? [];
    if (config.clientId !== undefined) assertClientId(config.clientId);
    if (config.onDownstream && !config.clientId) throw new TypeError('clientId is required when using onDownstream handler');
    this.#clientId = config.clientId;
    this.#onDownstream = config.onDownstream;
    this.#onClose = config.onClose;
    this.#onConnectionChange = config.onConnectionChange;
    if (config.onDownstream || config.onClose) this.#keepAlive = true;
  }

  /** The client id sent as subprotocol (set by the factory or by createRpcClient). */
  get clientId(): string | undefined {
    return this.#clientId;
  }

  /** Internal: createRpcClient's client-level options. */
  configureClient(options: { clientId?: string; onClose?: WebSocketTransportConfig['onClose'] }): void {
    if (options.clientId !== undefined) {
      assertClientId(options.clientId);
      this.#clientId = options.clientId;
    }
    if (options.onClose) this.#onClose = options.onClose;
  }

  setDownstreamHandler(handler: (payload: unknown) => void | Promise<void>): void {
    this.#onDownstream = handler;
  }

  setKeepAlive(enabled: boolean): void {
    this.#keepAlive = enabled;
  }

  isConnected(): boolean {
    return this.#socket?.readyState === 1;
  }

  connect(): Promise<void> {
    if (this.#socket && this.#socket.readyState === 1) return Promise.resolve();
    if (this.#connecting) return this.#connecting;
    const WS = this.#WebSocketClass;
    if (typeof WS !== 'function') return Promise.reject(new RpcTransportError('NO_WEBSOCKET', 'WebSocket is not available. Please provide WebSocketClass in config.'));
    const protocols = [RPC_SUBPROTOCOL, ...(this.#clientId ? [CLIENT_ID_PROTOCOL_PREFIX + this.#clientId] : []), ...this.#additionalProtocols];
    this.#connecting = new Promise<void>((resolve, rejectConnect) => {
      const reject = (e: Error) => {
        this.#abortConnect = undefined;
        rejectConnect(e);
      };
      this.#abortConnect = reject;
      let socket: Socket;
      try {
        socket = new WS(this.url, protocols) as unknown as Socket;
      } catch (error) {
        this.#connecting = undefined;
        reject(new RpcTransportError('CONNECTION_FAILED', `WebSocket connection failed: ${error instanceof Error ? error.message : String(error)}`));
        return;
      }
      this.#socket = socket;
      let opened = false;
      const fail = () => {
        if (opened) return;
        this.#connecting = undefined;
        if (this.#socket === socket) this.#socket = undefined;
        const status = socket.response?.status;
        reject(new RpcTransportError('CONNECTION_FAILED', `WebSocket connection failed${status ? ` (HTTP ${status})` : ''}`));
      };
      socket.onopen = () => {
        opened = true;
        this.#abortConnect = undefined;
        this.#connecting = undefined;
        this.#backoff = RECONNECT_INITIAL_MS;
        log.debug('connected', { url: this.url });
        resolve();
        void guard('onConnectionChange', this.#onConnectionChange && (() => this.#onConnectionChange!(true)));
      };
      socket.onerror = () => fail();
      socket.onclose = (event) => {
        if (!opened) return fail();
        this.#closed(socket, event.code, event.reason);
      };
      socket.onmessage = (event) => this.#message(event.data);
    });
    return this.#connecting;
  }

  async execute(batch: RpcBatchRequest): Promise<RpcBatchResponse> {
    await this.connect();
    const socket = this.#socket;
    if (!socket || socket.readyState !== 1) throw new RpcTransportError('CONNECTION_CLOSED', 'WebSocket connection closed');
    const key = batch.batch[0].id;
    const text = encodeBatchRequest(batch, this.#type);
    return new Promise<RpcBatchResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(key);
        reject(new RpcTransportError('TIMEOUT', `RPC batch timed out after ${this.#timeout}ms`));
      }, this.#timeout);
      this.#pending.set(key, { resolve, reject, timer });
      try {
        socket.send(text);
      } catch (error) {
        clearTimeout(timer);
        this.#pending.delete(key);
        reject(error);
      }
    });
  }

  #message(data: unknown): void {
    if (typeof data !== 'string') return void log.warn('binary message ignored');
    if (data.startsWith(`["${DOWNSTREAM_TYPE}",`)) {
      let payload: unknown;
      try {
        const parsed = JSON.parse(data) as unknown[];
        if (parsed[1] !== WIRE_VERSION) throw new TypeError(`unsupported downstream version ${String(parsed[1])}`);
        payload = decodeValue(parsed[2]);
      } catch (error) {
        return void log.warn('undecodable downstream message ignored', { error: String(error) });
      }
      void guard('onDownstream', this.#onDownstream && (() => this.#onDownstream!(payload)));
      return;
    }
    let results;
    try {
      results = parseResponseMessage(data, this.#type, (_id, encoded) => encoded);
    } catch (error) {
      // A refused batch (wire version mismatch) carries no ids: the first pending batch gets the error.
      const first = this.#pending.entries().next().value;
      if (first) {
        clearTimeout(first[1].timer);
        this.#pending.delete(first[0]);
        first[1].reject(error);
      }
      return;
    }
    if (!results) return void log.warn('message of unknown type ignored', { head: data.slice(0, 40) });
    const pending = results.length ? this.#pending.get(results[0].id) : undefined;
    if (!pending) return void log.warn('response for an unknown batch ignored', { ids: results.map((r) => r.id).slice(0, 10) });
    clearTimeout(pending.timer);
    this.#pending.delete(results[0].id);
    pending.resolve({ batch: results });
  }

  #rejectAll(error: Error): void {
    for (const [, p] of this.#pending) {
      clearTimeout(p.timer);
      p.reject(error);
    }
    this.#pending.clear();
  }

  #closed(socket: Socket, code: number, reason: string): void {
    if (this.#socket !== socket) return;
    this.#socket = undefined;
    log.debug('closed', { code, reason });
    this.#rejectAll(new RpcTransportError('CONNECTION_CLOSED', 'WebSocket connection closed'));
    void guard('onClose', this.#onClose && (() => this.#onClose!(code, reason)));
    void guard('onConnectionChange', this.#onConnectionChange && (() => this.#onConnectionChange!(false)));
    if (this.#keepAlive) this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#reconnectTimer) return;
    const delay = this.#backoff;
    this.#backoff = Math.min(this.#backoff * 2, RECONNECT_MAX_MS);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      this.connect().catch((error) => {
        log.info('reconnect failed', { error: String(error) });
        if (this.#keepAlive) this.#scheduleReconnect();
      });
    }, delay);
  }

  /** Closes with 1000, cancels reconnects and rejects pending batches with `WebSocket disconnected`. */
  disconnect(): void {
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    const socket = this.#socket;
    this.#socket = undefined;
    this.#connecting = undefined;
    this.#abortConnect?.(new RpcTransportError('DISCONNECTED', 'WebSocket disconnected'));
    this.#rejectAll(new RpcTransportError('DISCONNECTED', 'WebSocket disconnected'));
    if (socket) {
      socket.onopen = socket.onmessage = socket.onerror = socket.onclose = null;
      try {
        socket.close(1000, 'Normal closure');
      } catch (error) {
        log.debug('close before open', { error: String(error) });
      }
    }
  }

  [Symbol.dispose](): void {
    this.disconnect();
  }
}

/**
 * A WebSocket transport to `{baseUrl}/{prefix}/{binding}/{instance}/call` (scheme mapped to ws/wss).
 * @example createRpcClient<typeof Counter>({ transport: createWebSocketTransport('COUNTER', 'a') })
 */
export function createWebSocketTransport(doBindingName: string, doInstanceNameOrId: string, config?: WebSocketTransportConfig): WebSocketRpcTransport {
  return new WebSocketRpcTransport(doBindingName, doInstanceNameOrId, config);
}
