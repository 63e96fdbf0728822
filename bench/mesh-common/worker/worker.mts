/**
 * Benchmark Worker: `/gateway/...` → our router and gateway (with a stand-in auth hook),
 * `/capn/<name>` → Cap'n Web in a DO, `/dodo?...` → a batch of DO → DO calls.
 */
import { createLumenizeRouter, type LumenizeRouterOptions } from '@lumenize/mesh';
import type { DoToDoMode, DoToDoOp } from '../api.ts';
import type { Env } from './env.mts';

export { BenchGateway, MeshCaller, MeshCounter } from './mesh-nodes.mts';
export { CapnCounter } from './capnweb-counter.mts';

/**
 * Stand-in for auth middleware: the benchmark measures the mesh, not JWT verification, so the user
 * id is taken from the instance name (`{userId}.{tabId}`) and set as `X-Auth-User-Id`.
 */
const benchAuth: LumenizeRouterOptions['onBeforeConnect'] = (request, context) => {
  const headers = new Headers(request.headers);
  headers.set('X-Auth-User-Id', context.doInstanceNameOrId.split('.')[0]);
  return new Request(request, { headers });
};

const MODES = new Set<DoToDoMode>(['mesh', 'native', 'native-held', 'empty']);

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname.startsWith('/capn/')) {
      return env.CAPN_COUNTER.getByName(decodeURIComponent(url.pathname.slice('/capn/'.length))).fetch(request);
    }
    if (url.pathname === '/dodo') {
      const mode = url.searchParams.get('mode') as DoToDoMode;
      if (!MODES.has(mode)) return new Response(`unknown mode '${mode}'`, { status: 400 });
      const n = Number(url.searchParams.get('n') ?? 100);
      const concurrency = Number(url.searchParams.get('c') ?? 1);
      const caller = url.searchParams.get('caller') ?? 'caller';
      const target = url.searchParams.get('target') ?? 'target';
      const op = (url.searchParams.get('op') ?? 'increment') as DoToDoOp;
      if (op !== 'increment' && op !== 'echo') return new Response(`unknown op '${op}'`, { status: 400 });
      const ok = await env.MESH_CALLER.getByName(caller).run(mode, op, caller, target, n, concurrency);
      return Response.json({ ok });
    }
    const router = createLumenizeRouter(env, { onBeforeConnect: benchAuth, gatewayBindingName: 'LUMENIZE_CLIENT_GATEWAY' });
    return (await router(request)) ?? new Response('Not found', { status: 404 });
  },
} satisfies ExportedHandler<Env>;
