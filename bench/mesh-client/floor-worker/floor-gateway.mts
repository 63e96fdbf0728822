/**
 * The floor (issue 18): a gateway with no Lumenize code. A hibernatable socket in, and for each
 * client message one native Workers RPC to the same MeshCounter method ours calls. No seq/ack, no
 * outbox, no call context: what any gateway DO pays for the extra hop, the lower bound for ours.
 * Messages: `{"id":n,"op":"increment"|"echo","target":"...","value"?:...}` → `{"id":n,"result":...}`.
 */
import { DurableObject } from 'cloudflare:workers';
import type { FloorEnv } from './worker.mts';

interface FloorCall {
  id: number;
  op: 'increment' | 'echo';
  target: string;
  value?: unknown;
}

export class FloorGateway extends DurableObject<FloorEnv> {
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get('Upgrade')?.toLowerCase() !== 'websocket') return new Response('expected a WebSocket upgrade', { status: 426 });
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (typeof message !== 'string') return;
    const call = JSON.parse(message) as FloorCall;
    const stub = this.env.MESH_COUNTER.getByName(call.target);
    try {
      const result = call.op === 'increment' ? await stub.increment() : await stub.echo(call.value);
      ws.send(JSON.stringify({ id: call.id, result }));
    } catch (error) {
      ws.send(JSON.stringify({ id: call.id, error: String(error) }));
    }
  }
}
