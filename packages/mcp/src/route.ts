/**
 * Worker side: routes `/mcp` to the session's Durable Object. `initialize` (no `Mcp-Session-Id`)
 * mints a session id and a new DO; later requests go to the DO their header names. Auth runs first
 * (`createAuthMiddleware` from `@lumenize/auth`): a missing or forged token is 401 before any DO.
 */
import { MAX_BODY_BYTES, NEW_SESSION_HEADER, SESSION_HEADER, SESSION_ID } from './headers.ts';
import { ErrorCode, jsonResponse, rpcError } from './jsonrpc.ts';
import { readCappedBody } from '@lumenize/utils';

/** Options of {@link routeMcpRequest}. */
export interface McpRouteOptions {
  /** Name of the session DO's binding in `env`. */
  binding: string;
  /** Path served (default `/mcp`). */
  path?: string;
  /**
   * Auth: the middleware from `createAuthMiddleware` (verifies the bearer JWT, sets `X-Auth-*`).
   * Required unless `public: true`.
   */
  onBeforeRequest?: (request: Request) => Promise<Request | Response | undefined>;
  /** Serve without auth (the DO must also allow anonymous sessions). */
  public?: boolean;
}

function strip(request: Request, keep: (name: string) => boolean): Headers {
  const headers = new Headers();
  for (const [name, value] of request.headers) if (keep(name)) headers.set(name, value);
  return headers;
}

/**
 * The MCP response for `request`, or `undefined` when its path is not the MCP path.
 * @example return (await routeMcpRequest(req, env, { binding: 'MCP_SESSION', onBeforeRequest: auth })) ?? new Response('Not Found', { status: 404 });
 */
export async function routeMcpRequest(request: Request, env: object, options: McpRouteOptions): Promise<Response | undefined> {
  if (new URL(request.url).pathname !== (options.path ?? '/mcp')) return undefined;
  const response = await route(request, env, options);
  // A refusal before the DO leaves the body unread; drain it so the runtime does not log a stream error.
  if (!request.bodyUsed) await request.body?.cancel().catch(() => {});
  return response;
}

async function route(request: Request, env: object, options: McpRouteOptions): Promise<Response> {
  const ns = (env as Record<string, unknown>)[options.binding] as DurableObjectNamespace | undefined;
  if (!ns || typeof ns.getByName !== 'function') throw new TypeError(`routeMcpRequest: env.${options.binding} is not a Durable Object namespace`);
  if (!options.onBeforeRequest && options.public !== true) throw new TypeError('routeMcpRequest: pass onBeforeRequest (auth middleware) or public: true');
  // Never trust identity or session-minting headers from the client; the middleware sets its own.
  // Auth sees the headers only: a refused request's body is never read (routeMcpRequest drops it).
  let forwarded = new Request(request.url, { method: request.method, headers: strip(request, (n) => !/^x-(auth|lumenize)-/i.test(n)) });
  if (options.onBeforeRequest) {
    const out = await options.onBeforeRequest(forwarded);
    if (out instanceof Response) return out;
    if (out) forwarded = out;
  }
  if (request.method === 'POST') {
    const body = await readCappedBody(request, MAX_BODY_BYTES);
    if (body === undefined) return jsonResponse(rpcError(null, ErrorCode.InvalidRequest, `Request body larger than ${MAX_BODY_BYTES} bytes`), 413);
    forwarded = new Request(forwarded.url, { method: 'POST', headers: forwarded.headers, body });
  }
  let sessionId = forwarded.headers.get(SESSION_HEADER);
  if (sessionId === null) {
    if (forwarded.method !== 'POST') return jsonResponse(rpcError(null, ErrorCode.InvalidRequest, `Bad Request: ${SESSION_HEADER} header is required`), 400);
    sessionId = crypto.randomUUID();
  } else if (!SESSION_ID.test(sessionId)) {
    return jsonResponse(rpcError(null, ErrorCode.InvalidRequest, 'Session not found or expired: initialize a new session'), 404);
  }
  const headers = new Headers(forwarded.headers);
  if (!forwarded.headers.has(SESSION_HEADER)) headers.set(NEW_SESSION_HEADER, sessionId);
  // LumenizeDO's routing headers: the session DO learns its binding and name (for outgoing mesh calls).
  headers.set('X-Lumenize-DO-Binding-Name', options.binding);
  headers.set('X-Lumenize-DO-Instance-Name-Or-Id', sessionId);
  forwarded = new Request(forwarded, { headers });
  return ns.getByName(sessionId).fetch(forwarded);
}
