/**
 * The Worker. Static files (dist/public) are served by wrangler `assets`; everything else lands here:
 * - `/auth/*`: magic-link sign-in, refresh and sign-out (`createAuthRoutes` → AppAuth), each refresh
 *   cookie mirrored by the readable `lmz-signed-in` hint (`signedInHint: true`);
 * - `/gateway/*`: browser WebSockets to their LumenizeClientGateway, verified by the auth middleware.
 */
import { createAuthMiddleware, createAuthRoutes, createWebSocketAuthMiddleware } from '@lumenize/auth';
import { createLumenizeRouter } from '@lumenize/mesh';
import type { Env } from './env.ts';

export { LumenizeClientGateway } from '@lumenize/mesh';
export { AppAuth } from './app-auth.ts';
export { CounterDO } from './counter-do.ts';

type Handler = (request: Request) => Promise<Response | undefined>;

/** Built once per isolate: the middlewares import the public key up front. */
async function createApp(env: Env): Promise<Handler[]> {
  const publicKeysPem = [env.JWT_PUBLIC_KEY_BLUE];
  // signedInHint: the page reads a readable cookie to know whether asking for a token is worth a
  // request (no 401 when signed out).
  const auth: Handler = createAuthRoutes(env, { redirect: '/', signedInHint: true, ...(env.APP_ORIGIN ? { magicLinkBaseUrl: env.APP_ORIGIN } : {}) });
  const router = createLumenizeRouter(env, {
    onBeforeConnect: await createWebSocketAuthMiddleware({ publicKeysPem }),
    onBeforeRequest: await createAuthMiddleware({ publicKeysPem }),
    gatewayBindingName: 'LUMENIZE_CLIENT_GATEWAY',
    // Closed by default: browsers reach only their gateways (and, through them, @mesh methods).
    bindings: [],
  });
  return [auth, router];
}

let app: Promise<Handler[]> | undefined;

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    if (!env.JWT_PUBLIC_KEY_BLUE) return new Response('JWT keys are missing: run `npm start` (it writes DEV-ONLY keys to .dev.vars)', { status: 500 });
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
} satisfies ExportedHandler<Env>;
