/** Endpoint URLs: `{baseUrl}/{prefix}/{binding}/{instance}/call`, no `//`, scheme mapped for sockets. */
import { DEFAULT_BASE_URL } from '../limits.ts';

export function defaultBaseUrl(): string {
  const loc = (globalThis as { location?: { origin?: string } }).location;
  return typeof loc?.origin === 'string' && loc.origin !== 'null' ? loc.origin : DEFAULT_BASE_URL;
}

const trim = (s: string) => s.replace(/^\/+|\/+$/g, '');

export function endpointUrl(baseUrl: string, prefix: string, binding: string, instance: string): string {
  const segments = [trim(prefix), trim(binding), trim(instance), 'call'].filter(Boolean).map((s, i) => (i >= 1 && i <= 2 ? encodeURIComponent(s) : s));
  return `${baseUrl.replace(/\/+$/, '')}/${segments.join('/')}`;
}

/** `http:`→`ws:`, `https:`→`wss:`; `ws:`/`wss:` kept. */
export function socketUrl(url: string): string {
  return url.replace(/^http(s?):/i, (_m, s: string) => `ws${s}:`);
}
