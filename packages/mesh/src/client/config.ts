/**
 * LumenizeClient configuration: validation, the gateway URL and the offered subprotocols
 * (mesh spec §3.4, §4.10, §5.3).
 */
import { ACCESS_TOKEN_PROTOCOL_PREFIX } from './frames.ts';

/** Default gateway binding name. */
export const DEFAULT_GATEWAY_BINDING = 'LUMENIZE_CLIENT_GATEWAY';
/** Default refresh endpoint (auth's refresh route). */
export const DEFAULT_REFRESH = '/auth/refresh-token';
/** Default timeout of an outbound call, queued or in flight. */
export const DEFAULT_CALL_TIMEOUT_MS = 30_000;
/** The gateway path prefix clients connect to; a router's prefix must stay `gateway`. */
export const GATEWAY_PATH_PREFIX = 'gateway';

const INSTANCE_NAME = /^[^.\s/]+\.[^\s/]+$/;

/** Throws unless `name` has the `{userId}.{tabId}` shape with both parts non-empty. */
export function assertInstanceName(name: unknown): asserts name is string {
  if (name === undefined || name === null || name === '') throw new Error('LumenizeClient requires instanceName in config');
  if (typeof name !== 'string' || !INSTANCE_NAME.test(name)) {
    throw new Error(`LumenizeClient instanceName must be '{userId}.{tabId}' with both parts non-empty (no spaces or '/'), got '${String(name)}'`);
  }
}

/**
 * Resolves the base URL: the configured one, else the browser's current origin; throws outside a
 * browser without one.
 */
export function resolveBaseUrl(baseUrl: string | undefined): URL {
  if (baseUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      throw new Error(`LumenizeClient baseUrl is not a valid absolute URL: '${baseUrl}'`);
    }
    if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) {
      throw new Error(`LumenizeClient baseUrl must use http(s) or ws(s), got '${url.protocol}'`);
    }
    return url;
  }
  const origin = (globalThis as { location?: { origin?: string } }).location?.origin;
  if (typeof origin === 'string' && /^https?:/.test(origin)) return new URL(origin);
  throw new Error('LumenizeClient requires baseUrl in config outside a browser (for example https://app.example.com)');
}

/** `https:` → `wss:`, `http:` → `ws:` (ws(s) kept). */
function withScheme(url: URL, secure: string, plain: string): URL {
  const out = new URL(url.href);
  const isSecure = url.protocol === 'https:' || url.protocol === 'wss:';
  out.protocol = isSecure ? secure : plain;
  return out;
}

/**
 * The gateway WebSocket URL: `{ws base}/gateway/{binding}/{instanceName}`.
 * @example gatewayUrl(new URL('https://example.com'), 'MY_GATEWAY', 'alice.tab123') // wss://example.com/gateway/MY_GATEWAY/alice.tab123
 */
export function gatewayUrl(base: URL, bindingName: string, instanceName: string): string {
  const ws = withScheme(base, 'wss:', 'ws:');
  const path = ws.pathname.replace(/\/+$/, '');
  return `${ws.protocol}//${ws.host}${path}/${GATEWAY_PATH_PREFIX}/${bindingName}/${instanceName}`;
}

/** Resolves the refresh endpoint (relative URLs against the http(s) form of the base URL). */
export function refreshUrl(base: URL, refresh: string): string {
  return new URL(refresh, withScheme(base, 'https:', 'http:')).href;
}

/** Subprotocols offered on connect: `lmz`, the token, and (resume) `lmz.resume.<session>.<ack>`. */
export function offeredProtocols(accessToken: string, resume?: string): string[] {
  const list = ['lmz', `${ACCESS_TOKEN_PROTOCOL_PREFIX}${accessToken}`];
  if (resume) list.push(resume);
  return list;
}
