/**
 * `getWebSocketShim`: a `WebSocket` class that connects through any `fetch` (for example a test's
 * `SELF.fetch`), so clients written for the browser `WebSocket` can talk to an in-process Worker.
 */
import { debug } from '@lumenize/debug';
import { domError } from './dom-errors.ts';
import { addMetric, type Metrics } from './types.ts';
import { closeEvent, messageEvent } from './websocket-events.ts';

/** Options of {@link getWebSocketShim}. */
export interface WebSocketShimOptions {
  /** Headers added to every upgrade request (e.g. `Origin`, `Cookie`, `Authorization`). */
  headers?: HeadersInit | (() => HeadersInit);
  /** Limit for bytes queued by `send` while connecting (default 1 MiB); over it `send` throws. */
  maxQueueBytes?: number;
  /** Counters: `wsUpgradeRequests`, `wsSentMessages`, `wsReceivedMessages`, payload bytes, `roundTrips`. */
  metrics?: Metrics;
}

type ShimEventHandler<E extends Event = Event> = ((this: ShimWebSocket, event: E) => unknown) | null;

/**
 * A browser-style WebSocket as the shim implements it (the standard members plus the upgrade
 * `request`/`response`). Typed here because Workers' `WebSocket` type is the server-side socket.
 */
export interface ShimWebSocket extends EventTarget {
  readonly url: string;
  readonly readyState: number;
  readonly protocol: string;
  readonly extensions: string;
  readonly bufferedAmount: number;
  binaryType: 'blob' | 'arraybuffer';
  readonly CONNECTING: 0;
  readonly OPEN: 1;
  readonly CLOSING: 2;
  readonly CLOSED: 3;
  onopen: ShimEventHandler;
  onmessage: ShimEventHandler<MessageEvent>;
  onerror: ShimEventHandler;
  onclose: ShimEventHandler<CloseEvent>;
  send(data: string | ArrayBufferLike | ArrayBufferView | Blob): void;
  close(code?: number, reason?: string): void;
  /** Non-standard: the upgrade request sent through the fetch function. */
  readonly request: Request;
  /** Non-standard: the upgrade response, once it arrived. */
  readonly response: Response | undefined;
}

/** The class {@link getWebSocketShim} returns; also assignable where `typeof WebSocket` is expected. */
export type WebSocketShimClass = {
  new (url: string | URL, protocols?: string | string[]): ShimWebSocket;
  readonly CONNECTING: 0;
  readonly OPEN: 1;
  readonly CLOSING: 2;
  readonly CLOSED: 3;
} & typeof WebSocket;

/** The server-side socket a `fetch` returns for a 101 (workerd's `WebSocket`, Miniflare's shape). */
interface AcceptableSocket {
  accept(): void;
  send(data: string | ArrayBuffer | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: string, listener: (event: Event) => void): void;
}

type SendData = string | ArrayBufferLike | ArrayBufferView | Blob;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- handler event types vary per property
type Handler = ShimEventHandler<any>;

const DEFAULT_MAX_QUEUE_BYTES = 1024 * 1024;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const log = debug('lmz.utils.WebSocketShim');
const encoder = new TextEncoder();

function byteLength(data: SendData): number {
  if (typeof data === 'string') return encoder.encode(data).byteLength;
  if (data instanceof Blob) return data.size;
  return (data as ArrayBufferLike | ArrayBufferView).byteLength;
}

let nativeHandlers: boolean | undefined;
/**
 * workerd's `EventTarget` itself calls `on<type>` properties of subclasses; browsers and Node do
 * not. Probed once so handler properties fire exactly once everywhere.
 */
function runtimeCallsHandlerProperties(): boolean {
  if (nativeHandlers === undefined) {
    let called = false;
    class Probe extends EventTarget {
      onprobe = () => {
        called = true;
      };
    }
    new Probe().dispatchEvent(new Event('probe'));
    nativeHandlers = called;
  }
  return nativeHandlers;
}

/** Lets other tasks run between queued sends. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function parseUrl(url: string | URL): URL {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    throw domError(`WebSocket: '${String(url)}' is not a valid URL`, 'SyntaxError');
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw domError(`WebSocket: URL scheme must be ws: or wss:, got '${parsed.protocol}' (use ${parsed.protocol === 'https:' ? 'wss:' : 'ws:'} for sockets)`, 'SyntaxError');
  }
  if (parsed.hash) throw domError('WebSocket: URL must not contain a fragment', 'SyntaxError');
  return parsed;
}

function parseProtocols(protocols: string | string[] | undefined): string[] {
  const list = protocols === undefined ? [] : typeof protocols === 'string' ? [protocols] : [...protocols];
  const seen = new Set<string>();
  for (const p of list) {
    if (typeof p !== 'string' || !TOKEN.test(p)) throw domError(`WebSocket: '${String(p)}' is not a valid subprotocol token`, 'SyntaxError');
    if (seen.has(p)) throw domError(`WebSocket: duplicate subprotocol '${p}'`, 'SyntaxError');
    seen.add(p);
  }
  return list;
}

/**
 * A `WebSocket` class whose upgrade goes through `fetchFn`. Only `ws:`/`wss:` URLs are accepted
 * (`http:`/`https:` throw `SyntaxError`: in tests that usually means a bug in the client).
 * `send` while connecting queues (up to `maxQueueBytes`); queued messages go out in order after open.
 * @example const WS = getWebSocketShim(SELF.fetch.bind(SELF)); const ws = new WS('wss://app.test/my-do/lobby');
 */
export function getWebSocketShim(fetchFn: typeof fetch = globalThis.fetch, options: WebSocketShimOptions = {}): WebSocketShimClass {
  if (typeof fetchFn !== 'function') throw new TypeError('getWebSocketShim: no fetch available; pass a fetch function (e.g. SELF.fetch.bind(SELF))');
  const maxQueueBytes = options.maxQueueBytes ?? DEFAULT_MAX_QUEUE_BYTES;
  const metrics = options.metrics;

  class WebSocketShim extends EventTarget implements ShimWebSocket {
    static readonly CONNECTING = 0 as const;
    static readonly OPEN = 1 as const;
    static readonly CLOSING = 2 as const;
    static readonly CLOSED = 3 as const;
    readonly CONNECTING = 0 as const;
    readonly OPEN = 1 as const;
    readonly CLOSING = 2 as const;
    readonly CLOSED = 3 as const;

    readonly url: string;
    readonly extensions = '';
    protocol = '';
    binaryType: 'blob' | 'arraybuffer' = 'blob';
    /** Non-standard: the upgrade request sent through `fetchFn`. */
    readonly request: Request;
    /** Non-standard: the upgrade response, once it arrived. */
    response: Response | undefined;

    #readyState = 0;
    #socket: AcceptableSocket | undefined;
    #queue: SendData[] = [];
    #queuedBytes = 0;
    #flushing = false;
    #inbound: Promise<void> | undefined;
    #handlers = new Map<string, { handler: Handler; listener: (event: Event) => void }>();

    constructor(url: string | URL, protocols?: string | string[]) {
      super();
      const parsed = parseUrl(url);
      const list = parseProtocols(protocols);
      this.url = parsed.href;
      const target = new URL(parsed.href);
      target.protocol = parsed.protocol === 'wss:' ? 'https:' : 'http:';
      const extra = typeof options.headers === 'function' ? options.headers() : options.headers;
      const headers = new Headers(extra);
      headers.set('Upgrade', 'websocket');
      if (list.length) headers.set('Sec-WebSocket-Protocol', list.join(', '));
      this.request = new Request(target.href, { method: 'GET', headers });
      addMetric(metrics, 'wsUpgradeRequests');
      void this.#connect();
    }

    get readyState(): number {
      return this.#readyState;
    }

    get bufferedAmount(): number {
      return this.#queuedBytes;
    }

    async #connect(): Promise<void> {
      let response: Response;
      try {
        response = await fetchFn(this.request);
      } catch (error) {
        log.warn('upgrade failed', { url: this.url, error });
        this.#fail();
        return;
      }
      this.response = response;
      const socket = (response as Response & { webSocket?: AcceptableSocket | null }).webSocket;
      if (this.#readyState === 3) {
        // Closed while connecting: release the server side too.
        if (socket) {
          socket.accept();
          socket.close(1000, 'closed before open');
        }
        return;
      }
      if (!socket) {
        log.warn('upgrade refused', { url: this.url, status: response.status });
        this.#fail();
        return;
      }
      log.debug('upgrade sent', { url: this.url, status: response.status });
      socket.accept();
      // Ask for ArrayBuffers where the runtime would hand us Blobs (workerd's standard binaryType).
      if ('binaryType' in socket) (socket as { binaryType: string }).binaryType = 'arraybuffer';
      this.#socket = socket;
      socket.addEventListener('message', (event) => this.#onMessage((event as MessageEvent).data));
      socket.addEventListener('close', (event) => {
        // Deliver pending messages before the close.
        if (this.#inbound) void this.#inbound.then(() => this.#onClose(event as CloseEvent));
        else this.#onClose(event as CloseEvent);
      });
      socket.addEventListener('error', () => this.dispatchEvent(new Event('error')));
      this.protocol = response.headers.get('Sec-WebSocket-Protocol') ?? '';
      this.#readyState = 1;
      this.dispatchEvent(new Event('open'));
      void this.#flush();
    }

    #fail(): void {
      this.#readyState = 3;
      this.#queue = [];
      this.#queuedBytes = 0;
      this.dispatchEvent(new Event('error'));
      this.dispatchEvent(closeEvent(1006, '', false));
    }

    /** Incoming messages in order; a `Blob` from the runtime is read before it and later messages are delivered. */
    #onMessage(data: unknown): void {
      if (this.#inbound || data instanceof Blob) {
        const previous = this.#inbound ?? Promise.resolve();
        const current: Promise<void> = previous
          .then(async () => this.#deliver(data instanceof Blob ? await data.arrayBuffer() : data))
          .finally(() => {
            if (this.#inbound === current) this.#inbound = undefined;
          });
        this.#inbound = current;
        return;
      }
      this.#deliver(data);
    }

    #deliver(data: unknown): void {
      const size = typeof data === 'string' ? encoder.encode(data).byteLength : (data as ArrayBuffer | ArrayBufferView).byteLength;
      addMetric(metrics, 'wsReceivedMessages');
      addMetric(metrics, 'wsReceivedPayloadBytes', size);
      addMetric(metrics, 'payloadBytesReceived', size);
      addMetric(metrics, 'roundTrips');
      let payload = data;
      if (typeof data !== 'string') {
        const buffer = ArrayBuffer.isView(data) ? data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) : (data as ArrayBuffer);
        payload = this.binaryType === 'arraybuffer' ? buffer : new Blob([buffer as ArrayBuffer]);
      }
      this.dispatchEvent(messageEvent(payload));
    }

    #onClose(event: CloseEvent): void {
      if (this.#readyState === 3) return;
      if (this.#readyState === 1) {
        // The peer started the close: answer it (ignored where the runtime already did).
        try {
          this.#socket?.close(event.code === 1005 ? 1000 : event.code, event.reason);
        } catch {
          // Already closed by the runtime.
        }
      }
      this.#readyState = 3;
      this.dispatchEvent(closeEvent(event.code, event.reason, event.wasClean));
    }

    send(data: SendData): void {
      if (this.#readyState === 2 || this.#readyState === 3) {
        throw domError('WebSocket: send() after close() was called', 'InvalidStateError');
      }
      if (this.#readyState === 0 || this.#queue.length > 0 || data instanceof Blob) {
        const size = byteLength(data);
        if (this.#readyState === 0 && this.#queuedBytes + size > maxQueueBytes) {
          throw new Error(`WebSocket: queued ${this.#queuedBytes + size} bytes while connecting, over maxQueueBytes (${maxQueueBytes})`);
        }
        this.#queue.push(data);
        this.#queuedBytes += size;
        if (this.#readyState === 1) void this.#flush();
        return;
      }
      this.#transmit(data as string | ArrayBufferLike | ArrayBufferView);
    }

    #transmit(data: string | ArrayBufferLike | ArrayBufferView): void {
      const size = byteLength(data);
      this.#socket!.send(data as string | ArrayBuffer);
      addMetric(metrics, 'wsSentMessages');
      addMetric(metrics, 'wsSentPayloadBytes', size);
      addMetric(metrics, 'payloadBytesSent', size);
    }

    /** Sends queued messages in order, yielding between them so the event loop keeps turning. */
    async #flush(): Promise<void> {
      if (this.#flushing) return;
      this.#flushing = true;
      try {
        while (this.#queue.length > 0 && this.#readyState === 1) {
          const next = this.#queue[0];
          const data = next instanceof Blob ? await next.arrayBuffer() : next;
          if (this.#readyState !== 1) break;
          this.#queue.shift();
          this.#queuedBytes -= byteLength(next);
          this.#transmit(data);
          if (this.#queue.length > 0) await yieldToEventLoop();
        }
      } finally {
        this.#flushing = false;
      }
    }

    close(code?: number, reason?: string): void {
      if (code !== undefined && code !== 1000 && !(code >= 3000 && code <= 4999)) {
        throw domError(`WebSocket: close code must be 1000 or 3000-4999, got ${code}`, 'InvalidAccessError');
      }
      if (reason !== undefined && encoder.encode(reason).byteLength > 123) {
        throw domError('WebSocket: close reason must be at most 123 UTF-8 bytes', 'SyntaxError');
      }
      if (this.#readyState === 2 || this.#readyState === 3) return;
      this.#queue = [];
      this.#queuedBytes = 0;
      if (this.#readyState === 0) {
        this.#readyState = 3;
        this.dispatchEvent(closeEvent(code ?? 1005, reason ?? '', false));
        return;
      }
      this.#readyState = 2;
      this.#socket!.close(code ?? 1000, reason ?? '');
    }

    #handler(type: string): Handler {
      return this.#handlers.get(type)?.handler ?? null;
    }

    #setHandler(type: string, handler: Handler): void {
      const previous = this.#handlers.get(type);
      if (previous && !runtimeCallsHandlerProperties()) this.removeEventListener(type, previous.listener);
      if (typeof handler !== 'function') {
        this.#handlers.delete(type);
        return;
      }
      const listener = (event: Event) => handler.call(this, event);
      this.#handlers.set(type, { handler, listener });
      if (!runtimeCallsHandlerProperties()) this.addEventListener(type, listener);
    }

    get onopen(): Handler {
      return this.#handler('open');
    }
    set onopen(h: Handler) {
      this.#setHandler('open', h);
    }
    get onmessage(): Handler {
      return this.#handler('message');
    }
    set onmessage(h: Handler) {
      this.#setHandler('message', h);
    }
    get onerror(): Handler {
      return this.#handler('error');
    }
    set onerror(h: Handler) {
      this.#setHandler('error', h);
    }
    get onclose(): Handler {
      return this.#handler('close');
    }
    set onclose(h: Handler) {
      this.#setHandler('close', h);
    }
  }

  return WebSocketShim as unknown as WebSocketShimClass;
}
