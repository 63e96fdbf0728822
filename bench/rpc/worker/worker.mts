/**
 * Benchmark Worker of bench/rpc: `/__rpc/rpc-counter/<name>/call` → ours (`lumenizeRpcDO`),
 * `/capn/<name>` → Cap'n Web in a DO (the mesh suites' CapnCounter, same method bodies).
 */
import { routeDORequest } from '@lumenize/utils';

export { RpcCounter, AcceptCounter } from './rpc-counter.mts';
export { CapnCounter } from '../../mesh-common/worker/capnweb-counter.mts';

interface Env {
  RPC_COUNTER: DurableObjectNamespace;
  ACCEPT_COUNTER: DurableObjectNamespace;
  CAPN_COUNTER: DurableObjectNamespace;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname.startsWith('/capn/')) {
      return env.CAPN_COUNTER.getByName(decodeURIComponent(url.pathname.slice('/capn/'.length))).fetch(request);
    }
    return (await routeDORequest(request, env, { prefix: '__rpc', bindings: ['RPC_COUNTER', 'ACCEPT_COUNTER'] })) ?? new Response('Not found', { status: 404 });
  },
} satisfies ExportedHandler<Env>;
