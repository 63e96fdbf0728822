/** Bindings of the benchmark Worker (wrangler.jsonc). */
import type { BenchGateway, MeshCaller, MeshCounter } from './mesh-nodes.mts';
import type { CapnCounter } from './capnweb-counter.mts';

export interface Env {
  LUMENIZE_CLIENT_GATEWAY: DurableObjectNamespace<BenchGateway>;
  MESH_COUNTER: DurableObjectNamespace<MeshCounter>;
  MESH_CALLER: DurableObjectNamespace<MeshCaller>;
  CAPN_COUNTER: DurableObjectNamespace<CapnCounter>;
}
