/**
 * Benchmark Worker of bench/rpc: `/__rpc/rpc-counter/<name>/call` → ours (`lumenizeRpcDO`),
 * `/capn/<name>` → Cap'n Web in a DO (the mesh suites' CapnCounter, same method bodies),
 * `/bare-hibernating/<name>`, `/bare-accept/<name>` → the no-library floor (bare.mts).
 */
import { routeDORequest } from '@lumenize/utils';

export { RpcCounter, AcceptCounter } from './rpc-counter.mts';
export { CapnCounter } from '../../mesh-common/worker/capnweb-counter.mts';
export { BareHibernating, BareAccept } from './bare.mts';

interface Env {
  RPC_COUNTER: DurableObjectNamespace;
  ACCEPT_COUNTER: DurableObjectNamespace;
  CAPN_COUNTER: DurableObjectNamespace;
  BARE_HIBERNATING: DurableObjectNamespace;
  BARE_ACCEPT: DurableObjectNamespace;
}

/** `/<route>/<name>` → that binding's DO. */
const DIRECT = { '/capn/': 'CAPN_COUNTER', '/bare-hibernating/': 'BARE_HIBERNATING', '/bare-accept/': 'BARE_ACCEPT' } as const;

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    for (const [route, binding] of Object.entries(DIRECT)) {
      if (url.pathname.startsWith(route)) return env[binding].getByName(decodeURIComponent(url.pathname.slice(route.length))).fetch(request);
    }
    return (await routeDORequest(request, env, { prefix: '__rpc', bindings: ['RPC_COUNTER', 'ACCEPT_COUNTER'] })) ?? new Response('Not found', { status: 404 });
  },
} satisfies ExportedHandler<Env>;
