/**
 * Synchronous input checks of `proxy` and `direct` (spec fetch §7). Each throws before anything is
 * stored, scheduled or sent.
 */
import { getOperationChain, isContinuation, type AnyContinuation, type OperationChain } from '@lumenize/mesh';
import { RequestSync } from '@lumenize/structured-clone';
import { DEFAULT_EXECUTOR_BINDING, DEFAULT_IDEMPOTENCY_TTL_MS, DEFAULT_TIMEOUT_MS, DEFAULT_WATCHDOG_GRACE_MS, MAX_IDEMPOTENCY_KEY_LENGTH, MAX_IDEMPOTENCY_TTL_MS, MAX_REQ_ID_LENGTH } from './limits.ts';
import type { DirectFetchOptions, FetchTestMode, ProxyFetchWorkerOptions } from './types.ts';

/** The handler chain of a continuation made with `this.ctn()`; throws for anything else. */
export function checkContinuation(continuation: unknown): OperationChain {
  if (!isContinuation(continuation)) throw new TypeError('Invalid continuation: must be created with this.ctn()');
  const chain = getOperationChain(continuation as AnyContinuation)!;
  if (!chain.some((op) => op.type === 'apply')) {
    throw new TypeError('Invalid continuation: it must call a handler method, e.g. this.ctn().onResult(this.ctn().$result)');
  }
  return chain;
}

/** The DO's binding name; throws explaining both ways to establish it. */
export function requireBindingName(doInstance: object, what: string): string {
  const binding = (doInstance as { lmz?: { bindingName?: unknown } }).lmz?.bindingName;
  if (typeof binding === 'string' && binding !== '') return binding;
  throw new Error(
    `${what}: this Durable Object does not know its own identity (binding name), so a result could not find its way back. ` +
      'Call this.lmz.init({ bindingName: "MY_DO" }) (for example in onStart), or reach the DO first through routeDORequest or a mesh call',
  );
}

/** The request as it travels (URL string or RequestSync) plus its URL. */
export function checkRequest(request: unknown): { request: string | RequestSync; url: string } {
  if (typeof Request !== 'undefined' && request instanceof Request) {
    throw new TypeError('Invalid request: a native Request cannot be persisted or forwarded; pass a RequestSync (new RequestSync(url, init)) or a URL string');
  }
  let url: string;
  if (request instanceof RequestSync) url = request.url;
  else if (typeof request === 'string') url = request;
  else throw new TypeError(`Invalid request: expected an absolute http(s) URL string or a RequestSync, got ${request === null ? 'null' : typeof request}`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`Invalid request URL '${url}': it must be an absolute http: or https: URL (relative and malformed URLs are refused)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`Invalid request URL '${url}': scheme '${parsed.protocol}' is not allowed; only http: and https:`);
  }
  return { request: request as string | RequestSync, url };
}

function positive(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new RangeError(`Invalid options.${name}: expected a finite number of milliseconds > 0, got ${String(value)}`);
  return value;
}

function nonNegative(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new RangeError(`Invalid options.${name}: expected a finite number of milliseconds >= 0, got ${String(value)}`);
  return value;
}

function optionalName(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new TypeError(`Invalid options.${name}: expected a binding name`);
  return value;
}

function optionalFlag(name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new TypeError(`Invalid options.${name}: expected a boolean`);
  return value;
}

function idempotencyKey(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  // Printable ASCII without spaces at the ends: a valid header value and a safe storage key.
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_IDEMPOTENCY_KEY_LENGTH || !/^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/.test(value)) {
    throw new TypeError(`Invalid options.idempotencyKey: expected 1-${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters`);
  }
  return value;
}

function objectOrEmpty(value: unknown, what: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError(`Invalid ${what}: expected an object`);
  return value as Record<string, unknown>;
}

/** Proxy options with defaults applied. */
export interface ResolvedProxyOptions {
  timeout: number;
  executorBinding: string;
  watchdogGraceMs: number;
  outboundBinding: string | undefined;
  handlerTransaction: boolean;
  idempotencyKey: string | undefined;
  idempotencyTtlMs: number;
  testMode: FetchTestMode | undefined;
}

/** Validates `proxy` options (RangeError for numbers, TypeError otherwise). */
export function resolveProxyOptions(options: unknown): ResolvedProxyOptions {
  const o = objectOrEmpty(options, 'options') as ProxyFetchWorkerOptions;
  const testMode = o.testMode === undefined ? undefined : (objectOrEmpty(o.testMode, 'options.testMode') as FetchTestMode);
  if (testMode) {
    optionalFlag('testMode.simulateDeliveryFailure', testMode.simulateDeliveryFailure);
    nonNegative('testMode.alarmTimeoutOverride', testMode.alarmTimeoutOverride, 0);
  }
  const ttl = positive('idempotencyTtlMs', o.idempotencyTtlMs, DEFAULT_IDEMPOTENCY_TTL_MS);
  if (ttl > MAX_IDEMPOTENCY_TTL_MS) throw new RangeError(`Invalid options.idempotencyTtlMs: at most ${MAX_IDEMPOTENCY_TTL_MS} ms (24 h), got ${ttl}`);
  return {
    timeout: positive('timeout', o.timeout, DEFAULT_TIMEOUT_MS),
    executorBinding: optionalName('executorBinding', o.executorBinding) ?? DEFAULT_EXECUTOR_BINDING,
    watchdogGraceMs: nonNegative('watchdogGraceMs', o.watchdogGraceMs, DEFAULT_WATCHDOG_GRACE_MS),
    outboundBinding: optionalName('outboundBinding', o.outboundBinding),
    handlerTransaction: optionalFlag('handlerTransaction', o.handlerTransaction),
    idempotencyKey: idempotencyKey(o.idempotencyKey),
    idempotencyTtlMs: ttl,
    testMode,
  };
}

/** Direct options with defaults applied. */
export interface ResolvedDirectOptions {
  timeout: number;
  outboundBinding: string | undefined;
  handlerTransaction: boolean;
  idempotencyKey: string | undefined;
}

/** Validates `direct` options. */
export function resolveDirectOptions(options: unknown): ResolvedDirectOptions {
  const o = objectOrEmpty(options, 'options') as DirectFetchOptions;
  return {
    timeout: positive('timeout', o.timeout, DEFAULT_TIMEOUT_MS),
    outboundBinding: optionalName('outboundBinding', o.outboundBinding),
    handlerTransaction: optionalFlag('handlerTransaction', o.handlerTransaction),
    idempotencyKey: idempotencyKey(o.idempotencyKey),
  };
}

/** A caller-supplied request id, or a fresh UUID. */
export function checkReqId(reqId: unknown): string {
  if (reqId === undefined) return crypto.randomUUID();
  if (typeof reqId !== 'string' || reqId === '' || reqId.length > MAX_REQ_ID_LENGTH) throw new TypeError(`Invalid reqId: expected a non-empty string of at most ${MAX_REQ_ID_LENGTH} characters`);
  return reqId;
}

/** Throws naming the binding and the wrangler entry it needs. */
export function checkBinding(env: object, binding: string, what: 'executor' | 'outbound'): void {
  const value = (env as Record<string, unknown>)[binding];
  if (value !== undefined && value !== null && typeof (value as { fetch?: unknown }).fetch === 'function') return;
  if (what === 'executor') {
    throw new Error(
      `Missing executor binding '${binding}': add to wrangler.jsonc "services": [{ "binding": "${binding}", "service": "<this worker's name>", "entrypoint": "FetchExecutorEntrypoint" }] and export FetchExecutorEntrypoint from the Worker`,
    );
  }
  throw new Error(`Missing outbound binding '${binding}': env has no Fetcher (service binding) with that name`);
}
