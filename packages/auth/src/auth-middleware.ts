/** `createAuthMiddleware`: Bearer-token protection for `routeDORequest`'s `onBeforeRequest` (spec §3.10). */
import { debug } from '@lumenize/debug';
import type { HookContext } from '@lumenize/utils';
import { jsonResponse } from './auth-error.ts';
import { DEFAULT_RETRY_AFTER_SECONDS } from './config.ts';
import { createMiddlewareCore, forwardWithIdentity, type AuthMiddlewareConfig, type Rejection } from './middleware-core.ts';

const BEARER = /^bearer +(\S+)$/i;

function quote(text: string): string {
  return text.replace(/[\\"]/g, (c) => `\\${c}`);
}

function unauthorized(realm: string, rejection: Rejection): Response {
  return jsonResponse({ error: rejection.code, error_description: rejection.description }, rejection.status, {
    'WWW-Authenticate': `Bearer realm="${quote(realm)}", error="${rejection.code}", error_description="${quote(rejection.description)}"`,
  });
}

/**
 * Verifies `Authorization: Bearer <jwt>` and forwards the request with `X-Auth-User-Id`,
 * `X-Auth-Verified`, `X-Auth-Token-Exp` and `X-Auth-Claims` (client copies of any `X-Auth-*`
 * removed) and without `Authorization`; otherwise answers 401/429 before the DO is reached.
 * @example const onBeforeRequest = await createAuthMiddleware({ publicKeysPem: [env.JWT_PUBLIC_KEY_BLUE, env.JWT_PUBLIC_KEY_GREEN] });
 */
export async function createAuthMiddleware(
  config: AuthMiddlewareConfig,
): Promise<(request: Request, context?: HookContext) => Promise<Request | Response | undefined>> {
  const log = debug('lmz.auth.createAuthMiddleware');
  const core = await createMiddlewareCore('createAuthMiddleware', config, log);
  const realm = config.realm ?? 'Lumenize';

  return async (request: Request): Promise<Request | Response | undefined> => {
    const limited = await core.checkIp(request);
    if (limited) return limited;
    const match = BEARER.exec((request.headers.get('Authorization') ?? '').trim());
    if (!match) {
      log.warn('rejected', { reason: 'no_bearer_token' });
      return unauthorized(realm, { status: 401, code: 'invalid_request', description: 'Missing or malformed Authorization header; expected "Bearer <token>"' });
    }
    const verified = await core.verify(match[1]);
    if ('rejection' in verified) return unauthorized(realm, verified.rejection);
    if (!(await core.checkUser('request', verified.payload.sub))) {
      return jsonResponse({ error: 'rate_limit_exceeded', error_description: 'Too many requests; try again later' }, 429, { 'Retry-After': String(DEFAULT_RETRY_AFTER_SECONDS) });
    }
    return forwardWithIdentity(request, verified.payload, (h) => h.delete('Authorization'));
  };
}
