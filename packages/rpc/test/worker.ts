/** Test Worker for @lumenize/rpc: routes `/__rpc/{binding}/{instance}/...` to the DOs of test/nodes.ts. */
import { routeDORequest } from '@lumenize/utils';

export { RpcDO, SubDO, MethodsDO, TxDO, GuardDO, ManualDO, RoomDO, SubRoomDO, AcceptDO } from './nodes.ts';
export { CapnDO } from './capn-nodes.ts';
export { ValidatedRpcDO } from './validation-nodes.ts';

const bindings = ['RPC_DO', 'SUB_DO', 'METHODS_DO', 'TX_DO', 'GUARD_DO', 'MANUAL_DO', 'ACCEPT_DO', 'VALIDATED_RPC_DO'];

export default {
  async fetch(request: Request, env: Cloudflare.Env): Promise<Response> {
    const routed = await routeDORequest(request, env, { prefix: '__rpc', bindings, cors: true });
    if (routed) return routed;
    const url = new URL(request.url);
    if (url.pathname.startsWith('/capn/')) return env.CAPN_DO.getByName(decodeURIComponent(url.pathname.slice('/capn/'.length))).fetch(request);
    if (url.pathname.startsWith('/manual/')) {
      // /manual/{instance}/rest-path → ManualDO (custom endpoints outside the RPC prefix).
      const [, , name] = url.pathname.split('/');
      return env.MANUAL_DO.getByName(name).fetch(request);
    }
    return new Response('rpc test worker: not found', { status: 404 });
  },
} satisfies ExportedHandler<Cloudflare.Env>;
