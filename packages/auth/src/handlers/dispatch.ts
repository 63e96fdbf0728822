/** Internal: maps the path remainder and method to an endpoint handler (spec §3.1, §4.2). */
import { AuthFailure, jsonResponse } from '../auth-error.ts';
import type { ResolvedAuthConfig } from '../config.ts';
import { revokeUserSessions } from './admin.ts';
import type { HandlerContext } from './context.ts';
import { addCallerEmail, deleteCallerEmail, listCallerEmails, makePrimary } from './emails.ts';
import { consumeMagicLink, requestMagicLink } from './magic-link.ts';
import { logout, refresh } from './refresh.ts';

type Handler = (ctx: HandlerContext, param: string) => Promise<Response>;
interface Endpoint {
  /** Literal segments; `:` marks the one parameter. */
  pattern: string[];
  methods: Record<string, Handler>;
  description: string;
}

const ENDPOINTS: Endpoint[] = [
  { pattern: ['email-magic-link'], methods: { POST: requestMagicLink }, description: 'Request a login link by email: { email }' },
  { pattern: ['magic-link'], methods: { GET: consumeMagicLink }, description: 'Follow a magic link (query magic-link-token, state)' },
  { pattern: ['refresh-token'], methods: { POST: refresh }, description: 'Rotate the refresh cookie; returns { access_token, token_type, expires_in }' },
  { pattern: ['logout'], methods: { POST: logout }, description: 'Revoke the refresh cookie' },
  { pattern: ['enter'], methods: { GET: async (ctx) => enter(ctx.config) }, description: 'This list' },
  { pattern: ['emails'], methods: { GET: listCallerEmails, POST: addCallerEmail }, description: 'List or add (send a link to) your email addresses' },
  { pattern: ['emails', ':', 'primary'], methods: { POST: makePrimary }, description: 'Make a verified email primary' },
  { pattern: ['emails', ':'], methods: { DELETE: deleteCallerEmail }, description: 'Remove an email address' },
  { pattern: ['users', ':', 'sessions'], methods: { DELETE: revokeUserSessions }, description: 'Super-admin: revoke all sessions of a user' },
];

function enter(config: ResolvedAuthConfig): Response {
  const endpoints = ENDPOINTS.flatMap((e) =>
    Object.keys(e.methods).map((method) => ({
      method,
      path: `${config.prefix}/${e.pattern.map((s) => (s === ':' ? (e.pattern[0] === 'users' ? ':userId' : ':email') : s)).join('/')}`,
      description: e.description,
    })),
  );
  return jsonResponse({ endpoints });
}

/** Segments after `<prefix>/<binding>/<instance>`, decoded; `undefined` when the path is not ours. */
export function endpointSegments(pathname: string, prefix: string): string[] | undefined {
  if (pathname !== prefix && !pathname.startsWith(`${prefix}/`)) return undefined;
  const rest = pathname.slice(prefix.length).split('/').filter((s) => s !== '');
  if (rest.length < 2) return undefined;
  try {
    return rest.slice(2).map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
}

/** Finds and runs the handler; 404 / 405 (with `Allow`) when there is none. */
export function dispatch(ctx: HandlerContext): Promise<Response> {
  const { segments } = ctx;
  for (const endpoint of ENDPOINTS) {
    if (endpoint.pattern.length !== segments.length) continue;
    let param = '';
    if (!endpoint.pattern.every((p, i) => (p === ':' ? ((param = segments[i]), true) : p === segments[i]))) continue;
    const handler = endpoint.methods[ctx.request.method];
    if (!handler) {
      const allow = Object.keys(endpoint.methods).join(', ');
      throw new AuthFailure(405, 'method_not_allowed', `Use ${allow}`, { Allow: allow });
    }
    return handler(ctx, param);
  }
  throw new AuthFailure(404, 'not_found', 'Unknown auth endpoint');
}
