/**
 * Event listeners of one client WebSocket, kept so they can all be removed at once: a socket the
 * client gave up on (or replaced) must never deliver another event into the connection.
 */
export type SocketHandlers = Record<'open' | 'message' | 'error' | 'close', (event: Event) => void>;

const attached = new WeakMap<WebSocket, SocketHandlers>();

/** Adds the listeners. */
export function attach(ws: WebSocket, handlers: SocketHandlers): void {
  attached.set(ws, handlers);
  for (const [type, fn] of Object.entries(handlers)) ws.addEventListener(type as 'open', fn);
}

/** Removes the listeners added by {@link attach} (no-op when none). */
export function detach(ws: WebSocket): void {
  const handlers = attached.get(ws);
  if (!handlers) return;
  attached.delete(ws);
  for (const [type, fn] of Object.entries(handlers)) ws.removeEventListener(type as 'open', fn);
}
