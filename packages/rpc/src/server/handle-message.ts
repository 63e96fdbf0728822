/**
 * `handleRpcMessage`: one RPC batch over a hibernatable WebSocket. Binary, non-JSON or foreign-type
 * messages are not ours (`false`), so the user's handler gets them.
 */
import { debug } from '@lumenize/debug';
import type { RpcCallInfo, RpcConfig } from '../types.ts';
import { encodeResponseMessage, parseRequestMessage } from '../wire.ts';
import { resolveConfig } from './config.ts';
import { encodeError, executeBatch } from './execute-batch.ts';
import { acceptedContext } from './accepted-sockets.ts';

const log = debug('lmz.rpc.server');

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).byteLength;
}

/** `{ clientId, ...context }` of a socket: in memory for accepted sockets, else its attachment. */
function connectionOf(ws: object): Record<string, unknown> {
  const accepted = acceptedContext(ws);
  if (accepted) return accepted;
  // Workers' server-side socket (typed locally so the entry also type-checks under DOM types).
  return ((ws as { deserializeAttachment(): unknown }).deserializeAttachment() ?? {}) as Record<string, unknown>;
}

function refuseAll(entries: unknown[], message: string): unknown[] {
  const error = new Error(message);
  error.name = 'RpcBatchRefusedError';
  const encoded = encodeError(error);
  return entries.map((e, i) => [Array.isArray(e) && typeof e[0] === 'number' ? e[0] : -1 - i, 0, encoded]);
}

/**
 * Handles an RPC message from `ws`; `false` when the message is not an RPC batch.
 * @example async webSocketMessage(ws, msg) { if (!(await handleRpcMessage(ws, msg, this))) this.#other(ws, msg); }
 */
export async function handleRpcMessage(ws: WebSocket, message: string | ArrayBuffer, doInstance: object, config?: RpcConfig): Promise<boolean> {
  if (typeof message !== 'string') return false;
  const cfg = resolveConfig(config);
  if (!message.startsWith(`["${cfg.type}",`)) return false;
  let parsed;
  try {
    parsed = parseRequestMessage(message, cfg.type);
  } catch (error) {
    ws.send(encodeResponseMessage(cfg.type, [['parse-error', 0, encodeError(error)]]));
    return true;
  }
  if (!parsed) return false;
  const { entries } = parsed;
  // UTF-8 never takes more than 3 bytes per UTF-16 unit: count exactly only near the limit.
  const bytes = message.length * 3 <= cfg.maxRequestBytes ? 0 : utf8Length(message);
  if (bytes > cfg.maxRequestBytes) {
    ws.send(encodeResponseMessage(cfg.type, refuseAll(entries, `RPC request too large: ${bytes} bytes > maxRequestBytes ${cfg.maxRequestBytes}`)));
    return true;
  }
  if (entries.length > cfg.maxBatchSize) {
    ws.send(encodeResponseMessage(cfg.type, refuseAll(entries, `RPC batch too large: ${entries.length} entries > maxBatchSize ${cfg.maxBatchSize}`)));
    return true;
  }
  // The connection context is read only for onBeforeCall: deserializing the attachment is a host
  // call (structured clone) on every message otherwise.
  let info: RpcCallInfo = { transport: 'websocket' };
  if (cfg.raw.onBeforeCall) {
    const connection = connectionOf(ws);
    info = { transport: 'websocket', connection, clientId: typeof connection.clientId === 'string' ? connection.clientId : undefined };
  }
  log.debug('batch received', { transport: 'websocket', entries: entries.length });
  const outcome = await executeBatch(entries, doInstance, cfg, info);
  try {
    ws.send(encodeResponseMessage(cfg.type, outcome.results));
  } catch (error) {
    log.warn('response send failed', { error: String(error) });
  }
  return true;
}
