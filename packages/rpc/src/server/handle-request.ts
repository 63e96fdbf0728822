/**
 * `handleRpcRequest`: the HTTP side of the RPC endpoint (`POST {prefix}/{binding}/{instance}/call`)
 * and the WebSocket upgrade on the same path. Anything outside the prefix is not ours (undefined).
 */
import { debug } from '@lumenize/debug';
import type { RpcConfig } from '../types.ts';
import { parseRequestMessage, encodeResponseMessage } from '../wire.ts';
import { resolveConfig, type ResolvedConfig } from './config.ts';
import { encodeError, executeBatch } from './execute-batch.ts';
import { acceptRpcWebSocket } from './upgrade.ts';

const log = debug('lmz.rpc.server');

function json(config: ResolvedConfig, status: number, results: unknown[]): Response {
  return new Response(encodeResponseMessage(config.type, results), { status, headers: { 'Content-Type': 'application/json' } });
}

function parseError(config: ResolvedConfig, status: number, message: string): Response {
  const error = new Error(message);
  error.name = 'RpcBatchRefusedError';
  return new Response(encodeResponseMessage(config.type, [['parse-error', 0, encodeError(error)]]), { status, headers: { 'Content-Type': 'application/json' } });
}

/** The body, or the byte count at which it passed `max` (reading stops there; the rest is drained unread). */
async function readLimited(request: Request, max: number): Promise<Uint8Array | number> {
  const declared = Number(request.headers.get('Content-Length') ?? NaN);
  const reader = request.body?.getReader();
  if (!reader) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  let over = Number.isFinite(declared) && declared > max ? declared : 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (over || total > max) {
      over ||= total;
      continue; // drain without keeping, so the platform never sees an unread request stream
    }
    chunks.push(value);
  }
  if (over) return Math.max(over, total);
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** True when `pathname` lies under the prefix. */
export function isUnderPrefix(pathname: string, config: ResolvedConfig): boolean {
  return pathname === config.prefix || pathname.startsWith(`${config.prefix}/`);
}

/**
 * Answers an RPC HTTP request or WebSocket upgrade for `doInstance`; `undefined` when the request is
 * not under the RPC prefix (route it yourself).
 * @example const res = await handleRpcRequest(request, this); if (res) return res;
 */
export async function handleRpcRequest(request: Request, doInstance: object, config?: RpcConfig): Promise<Response | undefined> {
  const cfg = resolveConfig(config);
  const url = new URL(request.url);
  if (!isUnderPrefix(url.pathname, cfg)) return undefined;
  const segments = url.pathname.slice(cfg.prefix.length).split('/').filter(Boolean);
  if (segments[segments.length - 1] !== 'call') return new Response(`Unknown RPC endpoint: ${url.pathname}`, { status: 404 });
  if (request.headers.get('Upgrade')?.toLowerCase() === 'websocket') return acceptRpcWebSocket(request, doInstance, cfg);
  if (request.method !== 'POST') return new Response('Method not allowed', { status: 405, headers: { Allow: 'POST' } });
  const body = await readLimited(request, cfg.maxRequestBytes);
  if (typeof body === 'number') return parseError(cfg, 413, `RPC request too large: ${body} bytes > maxRequestBytes ${cfg.maxRequestBytes}`);
  let entries: unknown[];
  try {
    const parsed = parseRequestMessage(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(body), cfg.type);
    if (!parsed) return parseError(cfg, 400, `Invalid RPC request body: expected a batch message ["${cfg.type}", 1, [...]]`);
    entries = parsed.entries;
  } catch (error) {
    return parseError(cfg, 400, `Invalid RPC request body: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (entries.length > cfg.maxBatchSize) return parseError(cfg, 400, `RPC batch too large: ${entries.length} entries > maxBatchSize ${cfg.maxBatchSize}`);
  log.debug('batch received', { transport: 'http', entries: entries.length });
  const outcome = await executeBatch(entries, doInstance, cfg, { transport: 'http', headers: request.headers });
  return json(cfg, outcome.failed ? 500 : 200, outcome.results);
}
