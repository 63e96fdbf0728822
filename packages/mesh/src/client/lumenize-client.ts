/**
 * LumenizeClient: a browser tab, Node or Bun process as a full mesh node (mesh spec §3.4, §4.10).
 * It calls any node through its gateway with `this.lmz.call/callRaw`, answers `@mesh` calls from
 * DOs and Workers, and keeps working across dropped sockets (queue, reconnect with backoff, token
 * refresh, gap-free resume). Guide: docs/mesh-clients.md.
 */
import { debug } from '@lumenize/debug/lite'; // costs a flag check unless @lumenize/debug is loaded
import { postprocessLoaded, type LmzIntermediate } from '@lumenize/structured-clone';
import { createBatch, getBatchChains } from '../batch.ts';
import { copyCallContext, receiveCallContext, validateWireCallContext } from '../call-context.ts';
import { encodeError, encodeResult, serializeBatch, serializeChain, serializeCompactChain, toError } from '../envelope.ts';
import { callRenderer, decodeTaggedResponse, type RenderCall } from '../wire/call-frame.ts';
import { clientDecodeCallResult, clientDeserializeChain, clientDeserializeValue } from './decode.ts';
import { LoginRequiredError } from '../errors.ts';
import { assertHandlerTarget, entryName } from '../handler-target.ts';
import { getOperationChain, getRawOperationChain, isContinuation, newContinuation, type AnyContinuation, type Continuation } from '../ocan/continuation.ts';
import { executeOperationChain, replaceNestedOperationMarkers, runValidatedChain } from '../ocan/execute.ts';
import type { OcanConfig, OperationChain } from '../ocan/types.ts';
import { validateOperationChain } from '../ocan/validate.ts';
import type { CallContext, CallOptions, NodeIdentity } from '../protocol.ts';
import type { Subscription, SubscribeOptions } from '../pubsub/client-subscriptions.ts';
import { newClientSubscriptions, type ClientSubscriptionsApi } from './pubsub-seam.ts';
import { DEFAULT_CALL_TIMEOUT_MS, DEFAULT_GATEWAY_BINDING, DEFAULT_REFRESH, assertInstanceName, gatewayUrl, refreshUrl, resolveBaseUrl } from './config.ts';
import { ClientConnection, type ConnectionState, type IncomingAnswer } from './connection.ts';
import { currentClientContext, runWithClientContext } from './context.ts';
import { installBrowserRetryListeners } from './browser-events.ts';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_HEARTBEAT_INTERVAL_MS, DEFAULT_PONG_TIMEOUT_MS } from './heartbeat.ts';
import type { CallResponseFrame, IncomingCallFrame } from './frames.ts';

/** Configuration of a LumenizeClient (mesh spec §3.4). */
export interface LumenizeClientConfig {
  /** `{userId}.{tabId}`; the user part must be the authenticated user. */
  instanceName: string;
  /** Browser: defaults to the current origin. Required elsewhere. */
  baseUrl?: string;
  /** Default `LUMENIZE_CLIENT_GATEWAY`. */
  gatewayBindingName?: string;
  /** If absent, obtained through `refresh` before the first connect. */
  accessToken?: string;
  /** URL (POSTed with cookies, answers `{ access_token }`) or a function; default `/auth/refresh-token`. */
  refresh?: string | (() => Promise<string>);
  /** Timeout of queued and in-flight outbound calls; default 30000. */
  callTimeoutMs?: number;
  /** Time from a pong to the next heartbeat ping; default 9000. A dead socket is found within this plus `pongTimeoutMs`. */
  heartbeatIntervalMs?: number;
  /** How long a ping may wait for its pong before the socket is given up and replaced; default 5000. */
  pongTimeoutMs?: number;
  /** Bound on one connect attempt (socket created → `connection_status`); default 10000. */
  connectTimeoutMs?: number;
  onConnectionStateChange?: (state: ConnectionState) => void;
  /** Only when the user must log in again. */
  onLoginRequired?: (error: LoginRequiredError) => void;
  /** After a reconnect that followed an expired grace period. */
  onSubscriptionsLost?: () => void;
  /** Low-level socket and refresh errors. */
  onConnectionError?: (error: Error) => void;
  /** Default `globalThis.WebSocket`; inject for tests or Node < 22. */
  WebSocket?: typeof WebSocket;
  /** Default `globalThis.fetch`; used for token refresh. */
  fetch?: typeof fetch;
}

/** `this.lmz` on a LumenizeClient (mesh spec §3.6). */
export interface LmzApiClient {
  readonly type: 'LumenizeClient';
  /** The gateway binding name. */
  readonly bindingName: string;
  /** `{userId}.{tabId}`. */
  readonly instanceName: string;
  /** The context of the current inbound call or handler; throws outside of one. */
  readonly callContext: CallContext;
  /** Fire-and-forget call; `handler` runs later with the value or Error in place of `$result`. */
  call(binding: string, instance: string | undefined, remote: AnyContinuation, handler?: AnyContinuation, options?: CallOptions): void;
  /** The call as a promise of its value (rejects with the remote error). */
  callRaw(binding: string, instance: string | undefined, remoteOrChain: AnyContinuation | OperationChain, options?: CallOptions): Promise<unknown>;
  /** Subscribes to `topic` on a publisher DO; `handler` receives each published value. Needs `import '@lumenize/mesh/client/pubsub'`. */
  subscribe(binding: string, instance: string, topic: string, handler: AnyContinuation, options?: SubscribeOptions): Subscription;
  /** Clients cannot publish: throws. */
  publish(topic: string, value: unknown): never;
}

/** First keys an inbound chain may never start with. */
const BLOCKED_FIRST_KEYS = new Set(['lmz', 'svc', 'ctx', 'env']);
/** The inbound policy on clients: same rules as servers. */
const CLIENT_INBOUND: OcanConfig = {
  requireMeshDecorator: true,
  checkEntry(chain: OperationChain) {
    const first = chain[0];
    if (first?.type === 'get' && BLOCKED_FIRST_KEYS.has(String(first.key))) {
      throw new TypeError(`Access denied: inbound chains cannot start at '${String(first.key)}'`);
    }
  },
};
/** Result handlers and subscription handlers run locally, without `@mesh`. */
const LOCAL: OcanConfig = { requireMeshDecorator: false };

function hasBrowserWindow(): boolean {
  return typeof (globalThis as { window?: unknown }).window !== 'undefined';
}

/**
 * Base class of browser, Node and Bun mesh nodes. Subclass it, mark inbound methods with `@mesh`,
 * and call other nodes with `this.lmz.call(...)`.
 * @example
 * class Editor extends LumenizeClient { @mesh applyEdit(text: string) { ... } }
 * using editor = new Editor({ instanceName: 'alice.tab1', baseUrl: 'https://app.example.com' });
 */
export abstract class LumenizeClient {
  /** `this.lmz`: identity, calls, subscriptions and the current call context. */
  readonly lmz: LmzApiClient;
  #config: LumenizeClientConfig;
  #identity: NodeIdentity;
  #connection: ClientConnection;
  /** Created on the first subscribe (needs `@lumenize/mesh/client/pubsub`). */
  #subs: ClientSubscriptionsApi | undefined;
  #removeListeners: (() => void) | undefined;
  #log = debug('lmz.mesh.LumenizeClient');
  #callCount = 0;

  constructor(config: LumenizeClientConfig) {
    if (typeof config !== 'object' || config === null) throw new Error('LumenizeClient requires instanceName in config');
    assertInstanceName(config.instanceName);
    const WebSocketImpl = config.WebSocket ?? (globalThis as { WebSocket?: typeof WebSocket }).WebSocket;
    if (typeof WebSocketImpl !== 'function') {
      throw new Error('LumenizeClient needs a WebSocket implementation: pass config.WebSocket (none found on globalThis)');
    }
    const base = resolveBaseUrl(config.baseUrl);
    const bindingName = config.gatewayBindingName ?? DEFAULT_GATEWAY_BINDING;
    if (!/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(bindingName)) throw new Error(`LumenizeClient gatewayBindingName is not a valid binding name: '${bindingName}'`);
    const callTimeoutMs = config.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    if (!(Number.isFinite(callTimeoutMs) && callTimeoutMs > 0)) throw new Error('LumenizeClient callTimeoutMs must be a positive number of milliseconds');
    const heartbeatIntervalMs = positiveMs(config.heartbeatIntervalMs, DEFAULT_HEARTBEAT_INTERVAL_MS, 'heartbeatIntervalMs');
    const pongTimeoutMs = positiveMs(config.pongTimeoutMs, DEFAULT_PONG_TIMEOUT_MS, 'pongTimeoutMs');
    const connectTimeoutMs = positiveMs(config.connectTimeoutMs, DEFAULT_CONNECT_TIMEOUT_MS, 'connectTimeoutMs');
    const refresh = config.refresh ?? DEFAULT_REFRESH;
    if (typeof refresh !== 'string' && typeof refresh !== 'function') throw new Error('LumenizeClient refresh must be a URL string or a function returning a token');
    const fetchImpl = config.fetch ?? (globalThis as { fetch?: typeof fetch }).fetch?.bind(globalThis);
    this.#config = config;
    this.#identity = Object.freeze({ type: 'LumenizeClient', bindingName, instanceName: config.instanceName });
    this.#connection = new ClientConnection({
      url: gatewayUrl(base, bindingName, config.instanceName),
      refresh: typeof refresh === 'string' ? refreshUrl(base, refresh) : refresh,
      accessToken: config.accessToken,
      callTimeoutMs,
      heartbeatIntervalMs,
      pongTimeoutMs,
      connectTimeoutMs,
      WebSocket: WebSocketImpl,
      fetch: fetchImpl ?? missingFetch,
      onStateChange: (state) => this.#notify('onConnectionStateChange', () => config.onConnectionStateChange?.(state)),
      onLoginRequired: (error) => this.#notify('onLoginRequired', () => config.onLoginRequired?.(error)),
      onConnectionError: (error) => this.#notify('onConnectionError', () => config.onConnectionError?.(error)),
      onConnected: (lost) => this.#onConnected(lost),
      onIncomingCall: (frame) => this.#onIncomingCall(frame),
    });
    this.lmz = this.#makeLmz();
    this.#installListeners();
    this.#connection.start();
  }

  /** `'connecting' | 'connected' | 'reconnecting' | 'disconnected'`. */
  get connectionState(): ConnectionState {
    return this.#connection.state;
  }

  /** A continuation against this client's type (handlers) or another node's (remote calls). */
  ctn<T = this>(): Continuation<T> {
    return newContinuation<T>();
  }

  /** Builds an atomic batch for a LumenizeDO callee (mesh spec §9 item 6). */
  ctnBatch(ops: AnyContinuation[]): Continuation<unknown[]> {
    return createBatch(ops);
  }

  /** Starts connecting again after `disconnect()`; no-op while connected or connecting. */
  connect(): void {
    this.#installListeners();
    this.#connection.start();
  }

  /** Closes the socket (1000), cancels timers, rejects pending and queued calls with `Client disconnected`. */
  disconnect(): void {
    this.#removeListeners?.();
    this.#removeListeners = undefined;
    this.#connection.stop();
  }

  /** Same as `this.lmz.subscribe(...)`; needs `import '@lumenize/mesh/client/pubsub'` once in the app. */
  subscribe(binding: string, instance: string, topic: string, handler: AnyContinuation, options?: SubscribeOptions): Subscription {
    return this.#subscriptions().subscribe(binding, instance, topic, handler, options);
  }

  /** Unsubscribes active subscriptions (best effort), then disconnects: `using client = new MyClient(...)`. */
  [Symbol.dispose](): void {
    this.#subs?.closeAll();
    this.disconnect();
  }

  /**
   * Class-wide inbound hook. Default: refuse calls that originate at another client (peer-to-peer
   * is opt-in); calls started by this client, DOs or Workers are accepted.
   */
  onBeforeCall(): void | Promise<void> {
    const origin = this.lmz.callContext.origin;
    if (origin.type === 'LumenizeClient' && (origin.bindingName !== this.#identity.bindingName || origin.instanceName !== this.#identity.instanceName)) {
      throw new Error('Peer-to-peer client calls are disabled by default. Override onBeforeCall() to allow them.');
    }
  }

  /** Optional override: runs (after the config callback) when a reconnect reports lost subscriptions. */
  onSubscriptionsLost?(): void;

  #subscriptions(): ClientSubscriptionsApi {
    return (this.#subs ??= newClientSubscriptions({
      callRaw: (binding, instance, chain) => this.#callRaw(binding, instance, chain),
      runHandler: (handler, value, ctx) => this.#runHandler(handler, value, ctx),
      self: this.#identity,
      target: this,
    }));
  }

  // --- lmz -----------------------------------------------------------------------------------

  #makeLmz(): LmzApiClient {
    const self = this;
    return Object.freeze({
      type: 'LumenizeClient' as const,
      bindingName: this.#identity.bindingName,
      instanceName: this.#identity.instanceName!,
      get callContext(): CallContext {
        const ctx = currentClientContext();
        if (!ctx) throw new Error('Cannot access callContext outside of a mesh call');
        return ctx;
      },
      call: (binding: string, instance: string | undefined, remote: AnyContinuation, handler?: AnyContinuation, options?: CallOptions) =>
        self.#call(binding, instance, remote, handler, options),
      callRaw: (binding: string, instance: string | undefined, remoteOrChain: AnyContinuation | OperationChain, options?: CallOptions) => {
        try {
          const prepared = self.#prepare(binding, instance, remoteOrChain, options, true);
          return self.#send(prepared);
        } catch (e) {
          return Promise.reject(toError(e));
        }
      },
      subscribe: (binding: string, instance: string, topic: string, handler: AnyContinuation, options?: SubscribeOptions) =>
        self.#subscriptions().subscribe(binding, instance, topic, handler, options),
      publish(): never {
        throw new Error('LumenizeClient cannot publish: publish from a LumenizeDO');
      },
    });
  }

  #prepare(binding: unknown, instance: unknown, remote: unknown, options: unknown, raw: boolean): { callId: string; body: RenderCall; method: string } {
    if (typeof binding !== 'string' || !/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(binding)) throw new TypeError(`Invalid binding ${String(binding)}: expected the name of a binding`);
    if (instance !== undefined && (typeof instance !== 'string' || instance === '')) {
      throw new TypeError(`Invalid instance for binding '${binding}': expected a non-empty name or id string, or undefined for a Worker`);
    }
    if (options !== undefined) {
      if (typeof options !== 'object' || options === null) throw new TypeError('Invalid options: expected an object of CallOptions');
      const o = options as CallOptions;
      if (o.state !== undefined) throw new TypeError('state cannot be set by clients; pass data as arguments');
      if (o.handlerTransaction) throw new TypeError('handlerTransaction requires a LumenizeDO caller');
      if (o.exclusive) throw new TypeError('exclusive requires a LumenizeDO caller');
      if (o.transaction) throw new TypeError('transaction cannot be requested by clients; use a transactional @mesh method on the DO');
    }
    const batch = getBatchChains(remote);
    if (!batch && !isContinuation(remote) && !(raw && Array.isArray(remote))) throw new TypeError('Invalid remoteContinuation: must be created with this.ctn()');
    // Encoded now, so a bad argument fails here; the frame is rendered when it is sent (wire/call-frame.ts).
    const compact = serializeCompactChain(remote, batch);
    // Unique per client (spec §5.3): a counter. Answers meant for a predecessor (a reloaded tab)
    // never arrive: each client instance has its own resume session, and the gateway drops the old one's.
    const id = ++this.#callCount;
    const render = callRenderer(id, binding, instance, compact, () => (batch ? serializeBatch(batch) : serializeChain(remote)), batch !== undefined);
    // The raw chain: the entry name reads keys only, so its arguments need no walk for continuations.
    const method = batch ? 'ctnBatch' : entryName(getRawOperationChain(remote) ?? (remote as OperationChain));
    return { callId: String(id), body: render, method };
  }

  async #send(prepared: { callId: string; body: RenderCall }): Promise<unknown> {
    const response: CallResponseFrame = await this.#connection.call(prepared.callId, prepared.body);
    if (response.tagged) return decodeTaggedResponse(response, postprocessLoaded);
    return clientDecodeCallResult(response.success ? { $result: response.result } : { $error: response.error });
  }

  #callRaw(binding: string, instance: string, remote: AnyContinuation): Promise<unknown> {
    try {
      return this.#send(this.#prepare(binding, instance, remote, undefined, false));
    } catch (e) {
      return Promise.reject(toError(e));
    }
  }

  #call(binding: string, instance: string | undefined, remote: AnyContinuation, handler?: AnyContinuation, options?: CallOptions): void {
    let handlerChain: OperationChain | undefined;
    if (handler !== undefined) {
      if (!isContinuation(handler)) throw new TypeError('Invalid handlerContinuation: must be created with this.ctn()');
      handlerChain = getOperationChain(handler)!;
      assertHandlerTarget(handlerChain, this, 'Invalid handlerContinuation: handler');
    }
    const prepared = this.#prepare(binding, instance, remote, options, false);
    const current = currentClientContext();
    const handlerContext = current ? copyCallContext(current) : receiveCallContext({ callChain: [this.#identity], state: {} });
    const deliver = async (outcome: unknown): Promise<void> => {
      if (!handlerChain) {
        if (outcome instanceof Error) this.#log.warn('call failed (no handler)', { binding, instance, method: prepared.method, error: outcome });
        return;
      }
      await this.#runHandler(handlerChain, outcome, handlerContext);
    };
    this.#send(prepared).then(deliver, (e: unknown) => deliver(toError(e)));
  }

  /** Runs a handler chain locally, once, with `value` in place of `$result`; failures are logged. */
  async #runHandler(handlerChain: OperationChain, value: unknown, ctx: CallContext): Promise<void> {
    const chain = replaceNestedOperationMarkers(handlerChain, value);
    try {
      await runWithClientContext(ctx, () => executeOperationChain(chain, this, LOCAL));
    } catch (e) {
      this.#log.error('handler failed', { handler: entryName(chain), error: e });
    }
  }

  // --- inbound -------------------------------------------------------------------------------

  async #onIncomingCall(frame: IncomingCallFrame): Promise<IncomingAnswer> {
    try {
      const chain = clientDeserializeChain(frame.chain as LmzIntermediate);
      const state = clientDeserializeValue(frame.callContext.state as LmzIntermediate);
      const wire = { callChain: frame.callContext.callChain, state } as Record<string, unknown>;
      if (frame.callContext.originAuth !== undefined) wire.originAuth = frame.callContext.originAuth;
      validateWireCallContext(wire);
      const ctx = receiveCallContext(wire);
      const subs = this.#subs;
      if (subs?.isDelivery(chain)) {
        // Framework-owned delivery entry point: no @mesh, no onBeforeCall (the subscriber consented).
        const value = await subs.deliver(chain, ctx);
        return toAnswer(encodeResult(value, subs.deliveryMethod));
      }
      validateOperationChain(chain, CLIENT_INBOUND);
      const before = runWithClientContext(ctx, () => this.onBeforeCall());
      if (before && typeof (before as Promise<void>).then === 'function') await before;
      const value = await runWithClientContext(ctx, () => runValidatedChain(chain, this, CLIENT_INBOUND, false));
      return toAnswer(encodeResult(value, entryName(chain)));
    } catch (e) {
      return toAnswer(encodeError(e));
    }
  }

  #onConnected(subscriptionsLost: boolean): void {
    if (!subscriptionsLost) return;
    this.#subs?.resubscribeAll();
    this.#notify('onSubscriptionsLost', () => this.#config.onSubscriptionsLost?.());
    this.#notify('onSubscriptionsLost', () => this.onSubscriptionsLost?.());
  }

  /** Runs an application callback; a throwing callback is logged and never breaks the client. */
  #notify(name: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.#log.error(`${name} callback threw`, { error: e });
    }
  }

  #installListeners(): void {
    if (this.#removeListeners || !hasBrowserWindow()) return;
    const connection = this.#connection;
    this.#removeListeners = installBrowserRetryListeners({
      hint: () => connection.networkHint(),
      retry: () => connection.retryNow(),
      lost: () => connection.networkLost(),
    });
  }
}

function toAnswer(result: ReturnType<typeof encodeResult>): IncomingAnswer {
  return result.$error !== undefined ? { success: false, error: result.$error } : { success: true, result: result.$result };
}

/** A config duration: the default when absent, else a positive finite number of milliseconds. */
function positiveMs(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new Error(`LumenizeClient ${name} must be a positive number of milliseconds, got ${String(value)}`);
  }
  return value;
}

const missingFetch: typeof fetch = () => Promise.reject(new Error('LumenizeClient needs fetch for token refresh: pass config.fetch'));

