// Test Worker for @lumenize/fetch: the origin DOs, the executor, and the in-process test endpoints
// (the default export answers /test-endpoints-do/... so TEST_ENDPOINTS reaches them offline).
// /gateway/... is the mesh router to a LumenizeClientGateway, so browser clients (LumenizeClient
// over a real WebSocket) reach the mesh as they do in production (spec §9 item 24).
// Origin DOs use virtual alarms: no watchdog fires on its own; tests run it (runNextAlarm/triggerAlarms).
import '../src/index.ts';
import { LumenizeClientGateway, createLumenizeRouter } from '@lumenize/mesh';
import { withVirtualAlarms } from '@lumenize/testing';
import { testEndpointsHandler } from '@lumenize/testing/test-endpoints';
import { onBeforeConnect } from './client-auth.ts';
import { FetchTestDO as FetchTestDOBase, HostileDO as HostileDOBase } from './nodes.ts';

export { FetchExecutorEntrypoint } from '../src/index.ts';
export { TestEndpointsDO } from '@lumenize/testing/test-endpoints';
export { NoIdentityDO, PlainFetchDO, HostileWorker, BrokenUpstream } from './nodes.ts';
export const FetchTestDO = withVirtualAlarms(FetchTestDOBase);
export const HostileDO = withVirtualAlarms(HostileDOBase);

/** The clients' gateway; a long grace so no test races its expiry. */
export class FetchTestGateway extends LumenizeClientGateway<Cloudflare.Env> {
  static override gracePeriodMs = 60_000;
}

export default {
  async fetch(request: Request, env: Cloudflare.Env): Promise<Response> {
    if (new URL(request.url).pathname.startsWith('/gateway/')) {
      // Closed by default: only the gateway is reachable (never the executor or the origin DOs).
      const routed = await createLumenizeRouter(env, { onBeforeConnect })(request);
      return routed ?? new Response('Not found', { status: 404 });
    }
    return testEndpointsHandler.fetch(request, env);
  },
} satisfies ExportedHandler<Cloudflare.Env>;
