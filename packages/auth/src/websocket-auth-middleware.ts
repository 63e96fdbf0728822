/** `createWebSocketAuthMiddleware`: token-in-subprotocol protection for `onBeforeConnect` (spec §3.11). */
import { debug } from '@lumenize/debug';
import type { HookContext } from '@lumenize/utils';
import { jsonResponse } from './auth-error.ts';
import { DEFAULT_RETRY_AFTER_SECONDS } from './config.ts';
import { createMiddlewareCore, forwardWithIdentity, type WebSocketAuthMiddlewareConfig } from './middleware-core.ts';
import { extractWebSocketToken, splitProtocols, TOKEN_PROTOCOL_PREFIX } from './websocket-token.ts';

/**
 * Verifies the token offered as subprotocol `lmz.access-token.<jwt>` on an upgrade and forwards
 * the upgrade with the identity headers and the token entry removed from `Sec-WebSocket-Protocol`
 * (the DO never sees the token and answers with `lmz`). Failures are 401/429 JSON responses.
 * @example const onBeforeConnect = await createWebSocketAuthMiddleware({ publicKeysPem: [env.JWT_PUBLIC_KEY_BLUE, env.JWT_PUBLIC_KEY_GREEN] });
 */
export async function createWebSocketAuthMiddleware(
  config: WebSocketAuthMiddlewareConfig,
): Promise<(request: Request, context?: HookContext) => Promise<Request | Response | undefined>> {
  const log = debug('lmz.auth.createWebSocketAuthMiddleware');
  const core = await createMiddlewareCore('createWebSocketAuthMiddleware', config, log);

  return async (request: Request): Promise<Request | Response | undefined> => {
    const limited = await core.checkIp(request);
    if (limited) return limited;
    const token = extractWebSocketToken(request);
    if (!token) {
      log.warn('rejected', { reason: 'no_token' });
      return jsonResponse({ error: 'invalid_request', error_description: 'Missing access token subprotocol (lmz.access-token.<jwt>)' }, 401);
    }
    const verified = await core.verify(token);
    if ('rejection' in verified) return jsonResponse({ error: verified.rejection.code, error_description: verified.rejection.description }, 401);
    if (!(await core.checkUser('connect', verified.payload.sub))) {
      return jsonResponse({ error: 'rate_limit_exceeded', error_description: 'Too many connection attempts; try again later' }, 429, { 'Retry-After': String(DEFAULT_RETRY_AFTER_SECONDS) });
    }
    return forwardWithIdentity(request, verified.payload, (h) => {
      const rest = splitProtocols(h.get('Sec-WebSocket-Protocol')).filter((p) => !p.startsWith(TOKEN_PROTOCOL_PREFIX));
      if (rest.length > 0) h.set('Sec-WebSocket-Protocol', rest.join(', '));
      else h.delete('Sec-WebSocket-Protocol');
    });
  };
}
