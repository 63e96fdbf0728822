/**
 * `createLumenizeRouter`: the primary entry point of a mesh Worker (mesh spec §3.12, §9 item 8).
 * It routes `/{prefix}/{binding}/{instanceName}` (gateway upgrades and plain DO requests) through
 * `routeDORequest` from @lumenize/utils, accepts instance names only, strips client-supplied
 * `X-Auth-*` and `X-Lumenize-*` headers before the auth middleware runs, and adds the routing
 * headers `X-Lumenize-DO-Binding-Name` and `X-Lumenize-DO-Instance-Name-Or-Id`.
 */
import { debug } from '@lumenize/debug';
import { isDurableObjectId, parsePathname, routeDORequest, type CorsOptions, type Hook } from '@lumenize/utils';
import { GATEWAY_PATH_PREFIX } from '../client/config.ts';

/** Options of {@link createLumenizeRouter}. */
export interface LumenizeRouterOptions {
  /** Auth middleware for WebSocket upgrades; sets `X-Auth-User-Id` (and claims/exp) or answers a Response. */
  onBeforeConnect: Hook;
  /** Auth middleware for other requests; without it plain requests reach the DO unauthenticated. */
  onBeforeRequest?: Hook;
  /** Path prefix; default `gateway` (LumenizeClient always connects under `/gateway`). */
  prefix?: string;
  /**
   * When given, WebSocket upgrades are accepted only for this binding (or these bindings), so a
   * client cannot open sockets to arbitrary DOs through the router; other upgrades get 403.
   */
  gatewayBindingName?: string | string[];
  /** CORS policy, as in routeDORequest; default `false`. */
  cors?: CorsOptions;
}

const log = debug('lmz.mesh.createLumenizeRouter');

/** Drops every header a client could use to impersonate verified auth or routing context. */
function stripTrustedHeaders(request: Request): Request {
  const headers = new Headers(request.headers);
  for (const name of [...headers.keys()]) {
    const lower = name.toLowerCase();
    if (lower.startsWith('x-auth-') || lower.startsWith('x-lumenize-')) headers.delete(name);
  }
  return new Request(request, { headers });
}

function httpError(error: unknown): Response | undefined {
  const code = (error as { httpErrorCode?: unknown } | null)?.httpErrorCode;
  if (typeof code !== 'number') return undefined;
  return new Response(error instanceof Error ? error.message : 'Bad Request', { status: code });
}

/**
 * Builds the router. It resolves `undefined` for paths outside the prefix, so handlers chain:
 * `(await router(request)) ?? new Response('Not found', { status: 404 })`.
 * @example
 * const router = createLumenizeRouter(env, { onBeforeConnect: authMiddleware, onBeforeRequest: authMiddleware });
 * return (await router(request)) ?? new Response('Not found', { status: 404 });
 */
export function createLumenizeRouter(env: object, options: LumenizeRouterOptions): (request: Request) => Promise<Response | undefined> {
  if (typeof env !== 'object' || env === null) throw new TypeError('createLumenizeRouter: env must be the Worker env object');
  if (typeof options !== 'object' || options === null || typeof options.onBeforeConnect !== 'function') {
    throw new TypeError('createLumenizeRouter: options.onBeforeConnect (auth middleware for upgrades) is required');
  }
  const prefix = options.prefix ?? GATEWAY_PATH_PREFIX;
  const gateways = options.gatewayBindingName === undefined ? undefined : new Set([options.gatewayBindingName].flat());
  const onBeforeConnect: Hook = gateways
    ? (request, context) => {
        if (!gateways.has(context.doBindingName)) {
          return new Response(`Forbidden: WebSocket upgrades are accepted only for ${[...gateways].join(', ')}`, { status: 403 });
        }
        return options.onBeforeConnect(request, context);
      }
    : options.onBeforeConnect;

  return async (request: Request): Promise<Response | undefined> => {
    const url = new URL(request.url);
    const parsed = parsePathname(url.pathname, { prefix });
    if (!parsed) return undefined;
    if (parsed.doInstanceNameOrId !== undefined && isDurableObjectId(parsed.doInstanceNameOrId)) {
      log.warn('instance id refused', { path: url.pathname });
      return new Response('Bad Request: instance names only (a 64-hex Durable Object id is not accepted here)', { status: 400 });
    }
    try {
      const response = await routeDORequest(stripTrustedHeaders(request), env, {
        prefix,
        cors: options.cors,
        onBeforeConnect,
        onBeforeRequest: options.onBeforeRequest,
      });
      if (response === undefined) {
        log.debug('unknown binding', { path: url.pathname });
        return new Response(`Not Found: no Durable Object binding matches '${parsed.doBindingNameSegment}'`, { status: 404 });
      }
      return response;
    } catch (error) {
      const answer = httpError(error);
      if (answer) return answer;
      throw error;
    }
  };
}
