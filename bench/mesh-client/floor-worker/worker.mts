/**
 * bench/mesh-client's Worker: the shared benchmark Worker (bench/mesh-common/worker/, ours and
 * Cap'n Web) plus `/floor/<name>` → {@link FloorGateway} and `/durable-floor/<name>` →
 * {@link DurableFloorGateway}, so every peer runs in the same
 * `wrangler dev` and the same run.
 */
import common from '../../mesh-common/worker/worker.mts';
import type { Env } from '../../mesh-common/worker/env.mts';
import type { DurableFloorGateway, FloorGateway } from './floor-gateway.mts';

export { BenchGateway, MeshCaller, MeshCounter, CapnCounter } from '../../mesh-common/worker/worker.mts';
export { DurableFloorGateway, FloorGateway } from './floor-gateway.mts';

/** The shared bindings plus the floor gateway's. */
export interface FloorEnv extends Env {
  FLOOR_GATEWAY: DurableObjectNamespace<FloorGateway>;
  DURABLE_FLOOR_GATEWAY: DurableObjectNamespace<DurableFloorGateway>;
}

export default {
  async fetch(request: Request, env: FloorEnv): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname.startsWith('/floor/')) return env.FLOOR_GATEWAY.getByName(decodeURIComponent(url.pathname.slice('/floor/'.length))).fetch(request);
    if (url.pathname.startsWith('/durable-floor/')) return env.DURABLE_FLOOR_GATEWAY.getByName(decodeURIComponent(url.pathname.slice('/durable-floor/'.length))).fetch(request);
    return common.fetch(request, env);
  },
} satisfies ExportedHandler<FloorEnv>;
