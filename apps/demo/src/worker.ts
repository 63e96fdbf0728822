/**
 * The demo Worker. Static files (the page, its bundle and stylesheet) are served by wrangler
 * `assets`; everything else lands here:
 * - `/auth/*`: magic-link login, refresh and logout (`createAuthRoutes` → DemoAuth); a refused
 *   magic link opened in a browser gets a friendly page (link-failure-page.ts);
 * - `/gateway/*`: the mesh router — browser WebSocket upgrades to their LumenizeClientGateway
 *   (verified by `createWebSocketAuthMiddleware`), and authenticated HTTP such as
 *   `GET /gateway/DOCUMENT/<id>/export` (verified by `createAuthMiddleware`);
 * - `/dev/mailbox`: DEV ONLY list of magic links (when `DEMO_DEV_MAILBOX` is `"true"`).
 */
import { createAuthMiddleware, createAuthRoutes, createWebSocketAuthMiddleware } from '@lumenize/auth';
import { createLumenizeRouter } from '@lumenize/mesh';
import { getDOStub, type Hook } from '@lumenize/utils';
import { renderDevMailbox } from './dev-mailbox-page.ts';
import { friendlyLinkFailure } from './link-failure-page.ts';
import type { DemoEnv } from './env.ts';

export { LumenizeClientGateway } from '@lumenize/mesh';
export { DemoAuth } from './demo-auth.ts';
export { DocumentDO } from './document-do.ts';
export { DocumentRegistryDO } from './document-registry-do.ts';
export { WordCountWorker } from './word-count-worker.ts';

type Handler = (request: Request) => Promise<Response | undefined>;

/**
 * Adds the user's email to the verified identity as the `email` claim. The middleware has just
 * verified the token and set `X-Auth-User-Id`; the gateway turns `X-Auth-Claims` into
 * `callContext.originAuth.claims`, so every DO and Worker in the chain can show who acted.
 */
function withEmailClaim(env: DemoEnv, verify: Hook): Hook {
  return async (request, context) => {
    const verified = await verify(request, context);
    if (!(verified instanceof Request)) return verified;
    const userId = verified.headers.get('X-Auth-User-Id')!;
    using auth = getDOStub(env.LUMENIZE_AUTH, 'default');
    const user = await auth.getUserById(userId);
    const headers = new Headers(verified.headers);
    headers.set('X-Auth-Claims', JSON.stringify({ email: user?.email ?? null }));
    return new Request(verified, { headers });
  };
}

/** Builds the handlers once per isolate (the middlewares import the public keys up front). */
async function createApp(env: DemoEnv): Promise<Handler[]> {
  const publicKeysPem = [env.JWT_PUBLIC_KEY_BLUE, env.JWT_PUBLIC_KEY_GREEN];
  // signedInHint: the page learns from a readable cookie whether asking for a token is worth a request.
  const authRoutes = createAuthRoutes(env, { redirect: '/', signedInHint: true });
  // A person clicking a used or expired magic link gets a page with a way back, not raw JSON.
  const auth: Handler = async (request) => {
    const response = await authRoutes(request);
    return response && ((await friendlyLinkFailure(request, response)) ?? response);
  };
  const router = createLumenizeRouter(env, {
    onBeforeConnect: withEmailClaim(env, await createWebSocketAuthMiddleware({ publicKeysPem })),
    onBeforeRequest: await createAuthMiddleware({ publicKeysPem }),
    // Browsers may open sockets to their gateways only, never to other DOs.
    gatewayBindingName: 'LUMENIZE_CLIENT_GATEWAY',
    // The router is closed by default; DOCUMENT serves GET /gateway/DOCUMENT/<id>/export.
    bindings: ['DOCUMENT'],
  });
  const devMailbox: Handler = async (request) => {
    const { pathname } = new URL(request.url);
    if (pathname !== '/dev/mailbox' || env.DEMO_DEV_MAILBOX !== 'true') return undefined;
    using stub = getDOStub(env.LUMENIZE_AUTH, 'default');
    const mails = await stub.devMailbox();
    return new Response(renderDevMailbox(mails), { headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' } });
  };
  return [auth, router, devMailbox];
}

let app: Promise<Handler[]> | undefined;

export default {
  async fetch(request: Request, env: DemoEnv): Promise<Response> {
    if (!env.JWT_PUBLIC_KEY_BLUE) {
      return new Response('JWT keys are missing: start the demo with `npm start` (it generates DEV-ONLY keys into apps/demo/.dev.vars)', { status: 500 });
    }
    app ??= createApp(env).catch((error: unknown) => {
      app = undefined;
      throw error;
    });
    for (const handle of await app) {
      const response = await handle(request);
      if (response) return response;
    }
    return new Response('Not found', { status: 404 });
  },
} satisfies ExportedHandler<DemoEnv>;
