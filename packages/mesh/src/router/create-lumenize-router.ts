/**
 * `createLumenizeRouter`: the primary entry point of a mesh Worker (mesh spec §3.12, §9 item 8).
 * It routes `/{prefix}/{binding}/{instanceName}` (gateway upgrades and plain DO requests) through
 * `routeDORequest` from @lumenize/utils, closed by default: only its gateway binding(s) and the
 * bindings its options name are reachable, by instance name only (64-hex ids are opt-in). It strips
 * client-supplied `X-Auth-*` and `X-Lumenize-*` headers before the auth middleware runs, and adds
 * the routing headers `X-Lumenize-DO-Binding-Name` and `X-Lumenize-DO-Instance-Name-Or-Id`.
 */
import { debug } from '@lumenize/debug';
import { InstanceIdNotAllowedError, parsePathname, routeDORequest, type CorsOptions, type Hook } from '@lumenize/utils';
import { DEFAULT_GATEWAY_BINDING, GATEWAY_PATH_PREFIX } from '../client/config.ts';

/** Options of {@link createLumenizeRouter}. */
export interface LumenizeRouterOptions {
  /** Auth middleware for WebSocket upgrades; sets `X-Auth-User-Id` (and claims/exp) or answers a Response. */
  onBeforeConnect: Hook;
  /** Auth middleware for other requests; without it plain requests reach the DO unauthenticated. */
  onBeforeRequest?: Hook;
  /** Path prefix; default `gateway` (LumenizeClient always connects under `/gateway`). */
  prefix?: string;
  /**
   * The gateway binding(s), always reachable; default `'LUMENIZE_CLIENT_GATEWAY'`. When given,
   * WebSocket upgrades are also accepted only for these bindings (others get 403), so a client
   * cannot open sockets to the other listed DOs through the router.
   */
  gatewayBindingName?: string | string[];
  /**
   * Further DO bindings the router may reach (names as declared on `env`, or their kebab URL form);
   * default none. Any binding not listed here or as a gateway answers 404, like a missing one.
   */
  bindings?: readonly string[];
  /** Accept a 64-hex DO id as the instance segment; default `false` (400 `instance names only`). */
  allowIdAddressing?: boolean;
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

function nameList(value: unknown, what: string): string[] {
  const list = typeof value === 'string' && what === 'gatewayBindingName' ? [value] : value;
  if (!Array.isArray(list) || !list.every((n): n is string => typeof n === 'string' && n !== '')) {
    throw new TypeError(`createLumenizeRouter: options.${what} must be ${what === 'bindings' ? 'an array of' : 'a binding name or an array of'} non-empty binding names, e.g. ['MY_DO']`);
  }
  return list;
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
 * const router = createLumenizeRouter(env, { onBeforeConnect: authMiddleware, onBeforeRequest: authMiddleware, bindings: ['DOCUMENT'] });
 * return (await router(request)) ?? new Response('Not found', { status: 404 });
 */
export function createLumenizeRouter(env: object, options: LumenizeRouterOptions): (request: Request) => Promise<Response | undefined> {
  if (typeof env !== 'object' || env === null) throw new TypeError('createLumenizeRouter: env must be the Worker env object');
  if (typeof options !== 'object' || options === null || typeof options.onBeforeConnect !== 'function') {
    throw new TypeError('createLumenizeRouter: options.onBeforeConnect (auth middleware for upgrades) is required');
  }
  const prefix = options.prefix ?? GATEWAY_PATH_PREFIX;
  const gatewayNames = options.gatewayBindingName === undefined ? [DEFAULT_GATEWAY_BINDING] : nameList(options.gatewayBindingName, 'gatewayBindingName');
  // Built once: routeDORequest compiles an allow-list once per array.
  const reachable = [...gatewayNames, ...(options.bindings === undefined ? [] : nameList(options.bindings, 'bindings'))];
  if (options.allowIdAddressing !== undefined && typeof options.allowIdAddressing !== 'boolean') {
    throw new TypeError('createLumenizeRouter: options.allowIdAddressing must be a boolean');
  }
  const allowIdAddressing = options.allowIdAddressing === true;
  const gateways = options.gatewayBindingName === undefined ? undefined : new Set(gatewayNames);
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
    try {
      const response = await routeDORequest(stripTrustedHeaders(request), env, {
        prefix,
        bindings: reachable,
        allowIdAddressing,
        cors: options.cors,
        onBeforeConnect,
        onBeforeRequest: options.onBeforeRequest,
      });
      if (response === undefined) {
        // Missing and unlisted bindings answer alike, so the answer reveals no binding names.
        log.debug('unknown or unlisted binding', { path: url.pathname });
        return new Response(`Not Found: no Durable Object binding matches '${parsed.doBindingNameSegment}'`, { status: 404 });
      }
      return response;
    } catch (error) {
      if (error instanceof InstanceIdNotAllowedError) log.warn('instance id refused', { path: url.pathname });
      const answer = httpError(error);
      if (answer) return answer;
      throw error;
    }
  };
}
