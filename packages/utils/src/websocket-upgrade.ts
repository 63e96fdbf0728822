/** True when the `Upgrade` header says `websocket` (any case), whatever the method. */
export function hasWebSocketUpgradeHeader(request: Request): boolean {
  return request.headers.get('Upgrade')?.toLowerCase() === 'websocket';
}

/**
 * True only for `GET` with `Upgrade: websocket` and a `Connection` header containing `upgrade`
 * (both case-insensitive; other `Connection` tokens allowed).
 * @example if (isWebSocketUpgrade(request)) return handleSocket(request);
 */
export function isWebSocketUpgrade(request: Request): boolean {
  if (request.method !== 'GET' || !hasWebSocketUpgradeHeader(request)) return false;
  const connection = request.headers.get('Connection');
  if (!connection) return false;
  return connection.split(',').some((token) => token.trim().toLowerCase() === 'upgrade');
}
