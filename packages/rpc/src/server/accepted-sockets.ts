/**
 * Non-hibernating RPC sockets (`webSocket: { hibernate: false }`): accepted with `ws.accept()`,
 * so workerd delivers each message straight to a listener instead of through the hibernation
 * dispatch (lower latency), at the price of keeping the DO in memory, and billed for wall-clock
 * time, while any such socket is open. Their connection context and client id live here in
 * memory (the instance cannot be evicted while they are open) instead of in a socket attachment.
 */
import { debug } from '@lumenize/debug';

const log = debug('lmz.rpc.server');

/** Workers' server-side socket, typed locally so the entry also type-checks under DOM types. */
export interface AcceptableSocket {
  accept(): void;
  send(message: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'message' | 'close' | 'error', listener: (event: SocketEvent) => void): void;
}
interface SocketEvent {
  data?: unknown;
  code?: number;
  reason?: string;
  wasClean?: boolean;
  error?: unknown;
}

/** Connection context of each accepted socket. */
const contexts = new WeakMap<object, Record<string, unknown>>();
/** Accepted sockets of each DO instance, by client id. */
const byInstance = new WeakMap<object, Map<string, Set<AcceptableSocket>>>();

/** The connection context of an accepted socket (undefined for a hibernatable one). */
export function acceptedContext(ws: object): Record<string, unknown> | undefined {
  return contexts.get(ws);
}

/** The accepted sockets of `doInstance` tagged with `clientId`. */
export function acceptedSockets(doInstance: object, clientId: string): Iterable<AcceptableSocket> {
  return byInstance.get(doInstance)?.get(clientId) ?? [];
}

/** Every accepted socket of `doInstance` that is still open, with its client id ('' for none). */
export function allAcceptedSockets(doInstance: object): [AcceptableSocket, Record<string, unknown>][] {
  const out: [AcceptableSocket, Record<string, unknown>][] = [];
  for (const set of byInstance.get(doInstance)?.values() ?? []) for (const ws of set) out.push([ws, contexts.get(ws) ?? {}]);
  return out;
}

interface Handlers {
  webSocketMessage?(ws: AcceptableSocket, message: string | ArrayBuffer): unknown;
  webSocketClose?(ws: AcceptableSocket, code: number, reason: string, wasClean: boolean): unknown;
  webSocketError?(ws: AcceptableSocket, error: unknown): unknown;
}

/**
 * Accepts `server` without hibernation and routes its events to the instance's own
 * webSocketMessage/Close/Error, as the hibernation API would (the lumenizeRpcDO wrapper or the
 * user's handlers that call handleRpcMessage). `fallback` handles messages when there is none.
 */
export function acceptWithoutHibernation(server: AcceptableSocket, doInstance: object, context: Record<string, unknown>, fallback: (ws: AcceptableSocket, message: string | ArrayBuffer) => Promise<unknown>): void {
  server.accept();
  contexts.set(server, context);
  const clientId = typeof context.clientId === 'string' ? context.clientId : '';
  let sockets = byInstance.get(doInstance);
  if (!sockets) byInstance.set(doInstance, (sockets = new Map()));
  let set = sockets.get(clientId);
  if (!set) sockets.set(clientId, (set = new Set()));
  set.add(server);
  const forget = () => {
    set.delete(server);
    if (set.size === 0 && sockets.get(clientId) === set) sockets.delete(clientId);
  };
  const h = doInstance as Handlers;
  const settle = (what: string, result: unknown) => {
    if (result instanceof Promise) result.catch((error: unknown) => log.warn(`${what} failed`, { error: String(error) }));
  };
  server.addEventListener('message', (event) => {
    const data = event.data as string | ArrayBuffer;
    settle('webSocketMessage', typeof h.webSocketMessage === 'function' ? h.webSocketMessage(server, data) : fallback(server, data));
  });
  server.addEventListener('close', (event) => {
    forget();
    const code = event.code ?? 1005; // 1005: no status received
    if (typeof h.webSocketClose === 'function') settle('webSocketClose', h.webSocketClose(server, code, event.reason ?? '', event.wasClean ?? false));
    else closeQuietly(server, code);
  });
  server.addEventListener('error', (event) => {
    forget();
    if (typeof h.webSocketError === 'function') settle('webSocketError', h.webSocketError(server, event.error ?? event));
  });
}

function closeQuietly(ws: AcceptableSocket, code: number): void {
  try {
    ws.close(code === 1005 || code === 1006 ? 1000 : code);
  } catch {
    // already closed
  }
}
