/** Test Worker for @lumenize/utils' workerd project. */
import { routeDORequest } from '../src/index.ts';
import { browserEndpoint } from './browser-endpoints.ts';
import type { UtilsTestEnv } from './test-env.ts';

export { EchoDO, UserSession } from './echo-do.ts';
export { IdentityDO } from './identity-do.ts';

/** The allow-list the `/cors-do/...` routes use (Browser context tests, item 45). */
export const CORS_DO_ORIGINS = ['https://app.example.com'];
const BINDINGS = ['MY_DO', 'USER_SESSION', 'IDENTITY_DO'];

export default {
  async fetch(request: Request, env: UtilsTestEnv): Promise<Response> {
    return (
      (await browserEndpoint(request)) ??
      (await routeDORequest(request, env, { prefix: 'cors-do', bindings: BINDINGS, cors: { origin: CORS_DO_ORIGINS, credentials: true } })) ??
      (await routeDORequest(request, env, { bindings: BINDINGS })) ??
      new Response('Not found', { status: 404 })
    );
  },
} satisfies ExportedHandler<UtilsTestEnv>;
