/** Test Worker of @lumenize/mcp: `/mcp` behind the auth package's bearer middleware. */
import { createAuthMiddleware } from '@lumenize/auth';
import { routeMcpRequest } from '../src/index.ts';

export { McpSessionDO, McpResourceDO } from './nodes.ts';

/** wrangler dev gets the PEM base64-encoded (a `--var` value is one line); workerd tests get it raw. */
function publicPem(env: Cloudflare.Env): string {
  return env.JWT_PUBLIC_KEY_B64 ? atob(env.JWT_PUBLIC_KEY_B64) : env.JWT_PUBLIC_KEY;
}

export default {
  async fetch(request: Request, env: Cloudflare.Env): Promise<Response> {
    const url = new URL(request.url);
    // Test-only seam: moves a session's clock so expiry is driven, not waited for.
    if (url.pathname === '/test/advance-clock' && request.method === 'POST') {
      const { session, ms } = (await request.json()) as { session: string; ms: number };
      await env.MCP_SESSION.getByName(session).advanceClock(ms);
      return new Response('ok');
    }
    const auth = await createAuthMiddleware({ publicKeysPem: [publicPem(env)] });
    return (
      (await routeMcpRequest(request, env, { binding: 'MCP_SESSION', onBeforeRequest: auth })) ??
      (await routeMcpRequest(request, env, { binding: 'MCP_RESOURCES', path: '/mcp-resources', onBeforeRequest: auth })) ??
      new Response('Not Found', { status: 404 })
    );
  },
} satisfies ExportedHandler<Cloudflare.Env>;

// MCP client tests (test/client-nodes.ts, test/workerd/client.test.ts).
export { McpClientDO, McpHoldDO, McpFaultyUpstream, McpClientWorker, McpTinyServer } from './client-nodes.ts';
export { McpClientExecutor } from '../src/index.ts';
