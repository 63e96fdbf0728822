/**
 * `routeDORequest`: routes `[/prefix]/<binding>/<instance>[/...]` to a Durable Object, with
 * server-side CORS, one pre-routing hook, and routing context headers the DO can trust.
 */
import { debug } from '@lumenize/debug';
import { compileBindingAllowList, type BindingFilter } from './binding-allow-list.ts';
import { resolveBinding } from './binding-resolution.ts';
import { corsPolicy, evaluateCors, withCorsHeaders, type CorsOptions } from './cors.ts';
import { isDurableObjectId } from './durable-object-id.ts';
import { InstanceIdNotAllowedError, MissingInstanceNameError } from './errors.ts';
import { getDOStub } from './get-do-stub.ts';
import { warnOpenRouting } from './open-routing-warning.ts';
import { parsePathname } from './parse-pathname.ts';
import { ROUTING_HEADERS, stripRoutingHeaders } from './routing-headers.ts';
import { hasWebSocketUpgradeHeader } from './websocket-upgrade.ts';

/** What a hook learns about the routing target. */
export interface HookContext {
  doNamespace: DurableObjectNamespace;
  doInstanceNameOrId: string;
  /** The resolved binding name as declared on `env` (e.g. `MY_DO`). */
  doBindingName: string;
}

/**
 * A pre-routing hook: return a `Response` to answer without calling the DO, a `Request` to
 * replace the request, or nothing to continue. Hooks see the request before routing headers.
 */
export type Hook = (
  request: Request,
  context: HookContext,
) => Response | Request | undefined | void | Promise<Response | Request | undefined | void>;

/** Options of {@link routeDORequest}. */
export interface RouteOptions {
  /** Path prefix matched on whole segments (`'api'`, `'/api'` and `'/api/'` are the same). */
  prefix?: string;
  /** Server-enforced CORS; default `false`. */
  cors?: CorsOptions;
  /** Use `x-partykit-*` headers and default the prefix to `agents`. */
  agentCompatibility?: boolean;
  /** Runs for non-upgrade requests (the place for auth middleware). */
  onBeforeRequest?: Hook;
  /** Runs for WebSocket upgrade requests (the place for auth middleware). */
  onBeforeConnect?: Hook;
  /**
   * The DO bindings this router may reach: names as declared on `env` (`'MY_DO'`) or their kebab
   * URL form (`'my-do'`). Any other binding is treated exactly like a missing one (`undefined`).
   * Omitted: every DO binding on `env` is reachable (kept for compatibility) and a one-time
   * error-level log per `env` says so. Always pass it in production.
   */
  bindings?: readonly string[];
  /**
   * Accept a 64-hex DO id as the instance segment (it reaches instances your app never named).
   * Default `true` here; `false` answers ids with `InstanceIdNotAllowedError` (400).
   */
  allowIdAddressing?: boolean;
}

const log = debug('lmz.utils.routeDORequest');

async function runHook(name: string, hook: Hook, request: Request, context: HookContext): Promise<Response | Request | undefined> {
  const result: unknown = await hook(request, context);
  if (result === undefined || result instanceof Response || result instanceof Request) return result;
  throw new TypeError(`${name} must return a Response, a Request or undefined; it returned ${result === null ? 'null' : typeof result}`);
}

function bindingFilter(bindings: RouteOptions['bindings'], env: object): BindingFilter | undefined {
  if (bindings !== undefined) return compileBindingAllowList(bindings);
  warnOpenRouting(env);
  return undefined;
}

/**
 * Routes a request to the DO named by its path, or resolves `undefined` when the path is not
 * for us (so routers chain with `||`).
 *
 * Headers added to the forwarded request (client-sent copies of all four are removed first):
 * - default mode: `X-Lumenize-DO-Binding-Name` (binding name as declared on `env`, e.g. `MY_DO`)
 *   and `X-Lumenize-DO-Instance-Name-Or-Id` (the instance segment);
 * - agent compatibility: `x-partykit-namespace` (binding segment as written) and `x-partykit-room`.
 *
 * Only the bindings in `options.bindings` are reachable; an unlisted binding resolves `undefined`
 * like a missing one. Throws `MissingInstanceNameError`, `MultipleBindingsFoundError`,
 * `InvalidInstanceIdError`, `InstanceIdNotAllowedError` (each with `httpErrorCode` 400), and
 * `TypeError` for bad arguments, bad options or a bad hook result.
 * @example return (await routeDORequest(request, env, { bindings: ['MY_DO'] })) ?? new Response('Not found', { status: 404 });
 */
export async function routeDORequest(request: Request, env: object, options: RouteOptions = {}): Promise<Response | undefined> {
  if (!(request instanceof Request)) throw new TypeError('routeDORequest: request must be a Request');
  if (typeof env !== 'object' || env === null) throw new TypeError('routeDORequest: env must be the Worker env object');
  const policy = corsPolicy(options.cors);
  const allowed = bindingFilter(options.bindings, env);
  if (options.allowIdAddressing !== undefined && typeof options.allowIdAddressing !== 'boolean') {
    throw new TypeError(`routeDORequest: options.allowIdAddressing must be a boolean, got ${typeof options.allowIdAddressing}`);
  }
  const agent = options.agentCompatibility === true;
  const prefix = options.prefix ?? (agent ? 'agents' : '');

  const parsed = parsePathname(new URL(request.url).pathname, { prefix });
  if (!parsed) return undefined;
  const found = resolveBinding(parsed.doBindingNameSegment, env, allowed);
  if (!found) return undefined;
  const instance = parsed.doInstanceNameOrId;
  if (instance === undefined) throw new MissingInstanceNameError(found.bindingName);
  if (options.allowIdAddressing === false && isDurableObjectId(instance)) throw new InstanceIdNotAllowedError(instance);
  const where = { binding: found.bindingName, instance, method: request.method };

  const decision = evaluateCors(policy, request);
  if (decision.kind === 'respond') {
    if (decision.reason === 'origin-rejected') log.warn('origin rejected', { ...where, origin: decision.origin });
    else log.debug(decision.reason === 'preflight-allowed' ? 'preflight allowed' : 'preflight rejected', { ...where, origin: decision.origin });
    return decision.response;
  }
  const corsOrigin = decision.allowedOrigin;
  const finish = (response: Response) => (corsOrigin === undefined ? response : withCorsHeaders(response, corsOrigin, policy.credentials));

  const upgrade = hasWebSocketUpgradeHeader(request);
  const hookName = upgrade ? 'onBeforeConnect' : 'onBeforeRequest';
  const hook = upgrade ? options.onBeforeConnect : options.onBeforeRequest;
  let forwarded = request;
  if (hook) {
    const result = await runHook(hookName, hook, request, {
      doNamespace: found.namespace,
      doInstanceNameOrId: instance,
      doBindingName: found.bindingName,
    });
    if (result instanceof Response) {
      log.debug('hook answered; DO not called', { ...where, hook: hookName, status: result.status });
      return finish(result);
    }
    if (result instanceof Request) {
      log.debug('hook replaced the request', { ...where, hook: hookName });
      forwarded = result;
    }
  }

  const headers = new Headers(forwarded.headers);
  stripRoutingHeaders(headers);
  if (agent) {
    headers.set(ROUTING_HEADERS.partykitNamespace, parsed.doBindingNameSegment);
    headers.set(ROUTING_HEADERS.partykitRoom, instance);
  } else {
    headers.set(ROUTING_HEADERS.bindingName, found.bindingName);
    headers.set(ROUTING_HEADERS.instanceNameOrId, instance);
  }
  // The stub is released when this function returns; response bodies and accepted sockets live on.
  using stub = getDOStub(found.namespace, instance);
  const response = await stub.fetch(new Request(forwarded, { headers }));
  log.debug('routed', { ...where, upgrade, status: response.status });
  return finish(response);
}

/**
 * `routeDORequest` with agent compatibility forced on: prefix defaults to `agents` and the DO gets
 * `x-partykit-namespace` / `x-partykit-room` instead of the Lumenize headers.
 * @example return (await routeAgentRequest(request, env, { bindings: ['CHAT_AGENT'] })) ?? new Response('Not found', { status: 404 });
 */
export function routeAgentRequest(request: Request, env: object, options: Omit<RouteOptions, 'agentCompatibility'> = {}): Promise<Response | undefined> {
  return routeDORequest(request, env, { ...options, agentCompatibility: true });
}
