/**
 * WebSocket upgrade inside the DO: checks the subprotocols, runs `onBeforeConnect`, accepts a
 * hibernatable socket tagged with the client id and stores `{ clientId, ...context }` as attachment
 * (or, with `webSocket: { hibernate: false }`, accepts a plain socket: accepted-sockets.ts).
 */
import type { ResolvedConfig } from './config.ts';
import { CLIENT_ID_PROTOCOL_PREFIX, RPC_SUBPROTOCOL } from '../limits.ts';
import { acceptWithoutHibernation, type AcceptableSocket } from './accepted-sockets.ts';
import { handleRpcMessage } from './handle-message.ts';

/** Workers' server-side socket and pair, typed locally so the entry also type-checks under DOM types. */
interface ServerSocket {
  serializeAttachment(value: unknown): void;
}
type Pair = { 0: unknown; 1: ServerSocket };

interface DOLike {
  ctx?: { acceptWebSocket(ws: ServerSocket, tags?: string[]): void };
}

export function acceptRpcWebSocket(request: Request, doInstance: object, config: ResolvedConfig): Response {
  const protocols = (request.headers.get('Sec-WebSocket-Protocol') ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  if (!protocols.includes(RPC_SUBPROTOCOL)) return new Response(`RPC WebSocket upgrade needs the '${RPC_SUBPROTOCOL}' subprotocol`, { status: 400 });
  const ctx = (doInstance as DOLike).ctx;
  if (!ctx || typeof ctx.acceptWebSocket !== 'function') throw new TypeError('handleRpcRequest: the instance has no ctx.acceptWebSocket (pass the Durable Object itself)');
  let clientId = protocols.find((p) => p.startsWith(CLIENT_ID_PROTOCOL_PREFIX))?.slice(CLIENT_ID_PROTOCOL_PREFIX.length);
  let context: Record<string, unknown> = {};
  const decided = config.raw.onBeforeConnect?.(request);
  if (decided instanceof Response) return decided;
  if (decided && typeof decided === 'object') {
    context = { ...decided };
    if (typeof decided.clientId === 'string') clientId = decided.clientId;
  }
  const pair = new (globalThis as unknown as { WebSocketPair: new () => Pair }).WebSocketPair();
  const [client, server] = [pair[0], pair[1]];
  if (!config.hibernate) {
    acceptWithoutHibernation(server as unknown as AcceptableSocket, doInstance, { ...context, clientId }, (ws, message) => handleRpcMessage(ws as unknown as WebSocket, message, doInstance, config.raw));
  } else {
    ctx.acceptWebSocket(server, clientId ? [clientId] : []);
    server.serializeAttachment({ ...context, clientId });
  }
  return new Response(null, { status: 101, webSocket: client, headers: { 'Sec-WebSocket-Protocol': RPC_SUBPROTOCOL } } as ResponseInit);
}
