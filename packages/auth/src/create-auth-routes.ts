/**
 * `createAuthRoutes`: the Worker-side entry to the auth DO. Applies the IP tier, pins the DO
 * instance, and performs the lazy `configure` handshake (spec §3.1).
 */
import { debug } from '@lumenize/debug';
import { getDOStub, routeDORequest } from '@lumenize/utils';
import { rateLimitedResponse } from './auth-error.ts';
import { DEFAULT_BINDING, DEFAULT_INSTANCE, isDevMode, resolveAuthConfig, type AuthConfig } from './config.ts';
import { ipRateLimitKey } from './ip-key.ts';
import { limitByBinding } from './rate-limit-binding.ts';
import type { LumenizeAuth } from './lumenize-auth.ts';
import { withSignedInHint } from './signed-in-hint.ts';

const log = debug('lmz.auth.createAuthRoutes');

function segmentName(value: unknown, field: string, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^[A-Za-z0-9._~-]+$/.test(value)) throw new TypeError(`AuthConfig.${field} must be a URL-safe name`);
  return value;
}

async function isNotConfigured(response: Response): Promise<boolean> {
  if (response.status !== 503) return false;
  try {
    return ((await response.clone().json()) as { error?: unknown }).error === 'not_configured';
  } catch {
    return false;
  }
}

/**
 * Returns a handler for requests under `prefix` (default `/auth`); anything else gives `undefined`.
 * @example const auth = createAuthRoutes(env, { redirect: '/app' }); return (await auth(request)) ?? new Response('Not found', { status: 404 });
 */
export function createAuthRoutes(env: object, options: AuthConfig): (request: Request) => Promise<Response | undefined> {
  const config = resolveAuthConfig(options, 'lmz.auth.createAuthRoutes', isDevMode(env));
  const bindingName = segmentName(options.gatewayBindingName, 'gatewayBindingName', DEFAULT_BINDING);
  const instanceName = segmentName(options.instanceName, 'instanceName', DEFAULT_INSTANCE);
  const { prefix } = config;
  const cors = options.cors;
  if (options.signedInHint !== undefined && typeof options.signedInHint !== 'boolean') throw new TypeError('AuthConfig.signedInHint must be a boolean');
  const hint = options.signedInHint === true ? withSignedInHint : (response: Response) => response;
  const bindings = env as Record<string, unknown>;
  const namespace = bindings[bindingName] as DurableObjectNamespace<LumenizeAuth> | undefined;
  if (typeof namespace?.idFromName !== 'function') {
    throw new TypeError(`createAuthRoutes: env.${bindingName} is not a Durable Object namespace; bind LumenizeAuth as ${bindingName} or set gatewayBindingName`);
  }

  const handle = async (request: Request): Promise<Response | undefined> => {
    const url = new URL(request.url);
    if (url.pathname !== prefix && !url.pathname.startsWith(`${prefix}/`)) return undefined;
    if (config.rateLimit.ip !== false) {
      if (!(await limitByBinding(env, config.rateLimit.ip, 'ip', ipRateLimitKey(request)))) {
        log.warn('rate limited', { tier: 'ip' });
        return rateLimitedResponse(config.rateLimit.retryAfterSeconds);
      }
    }
    // Always insert the configured instance: clients can never pick another one.
    const target = new URL(url);
    target.pathname = `${prefix}/${bindingName}/${instanceName}${url.pathname.slice(prefix.length)}`;
    const retry = request.clone();
    const route = (r: Request) => routeDORequest(new Request(target, r), env, { prefix, cors, bindings: [bindingName] });
    const first = await route(request);
    if (!first || !(await isNotConfigured(first))) return first;
    log.debug('auth DO not configured; configuring and retrying once', { instanceName });
    {
      using stub = getDOStub(namespace, instanceName);
      await stub.configure(config);
    }
    return route(retry);
  };
  return async (request) => {
    const response = await handle(request);
    return response && hint(response);
  };
}
