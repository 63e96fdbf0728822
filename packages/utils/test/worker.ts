/** Test Worker for @lumenize/utils' workerd project. */
import { routeDORequest } from '../src/index.ts';
import type { UtilsTestEnv } from './test-env.ts';

export { EchoDO, UserSession } from './echo-do.ts';
export { IdentityDO } from './identity-do.ts';

export default {
  async fetch(request: Request, env: UtilsTestEnv): Promise<Response> {
    return (await routeDORequest(request, env)) ?? new Response('Not found', { status: 404 });
  },
} satisfies ExportedHandler<UtilsTestEnv>;
