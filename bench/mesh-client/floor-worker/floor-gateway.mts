/**
 * The floor (issue 18): a gateway with no Lumenize code. A hibernatable socket in, and for each
 * client message one native Workers RPC to the same MeshCounter method ours calls. No seq/ack, no
 * outbox, no call context: what any gateway DO pays for the extra hop, the lower bound for ours.
 * {@link DurableFloorGateway} adds only the two row writes exactly-once resume needs.
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
  /** Runs before the call is forwarded; the durable floor stores it here. */
  protected received(_call: FloorCall): void {}
  /** Runs before the answer is sent; the durable floor stores it here. */
  protected answering(_call: FloorCall, _answer: string): void {}

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get('Upgrade')?.toLowerCase() !== 'websocket') return new Response('expected a WebSocket upgrade', { status: 426 });
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (typeof message !== 'string') return;
    const call = JSON.parse(message) as FloorCall;
    this.received(call);
    const stub = this.env.MESH_COUNTER.getByName(call.target);
    let answer: string;
    try {
      const result = call.op === 'increment' ? await stub.increment() : await stub.echo(call.value);
      answer = JSON.stringify({ id: call.id, result });
    } catch (error) {
      answer = JSON.stringify({ id: call.id, error: String(error) });
    }
    this.answering(call, answer);
    ws.send(answer);
  }
}

/**
 * The durable floor: the floor plus the two row writes any gateway that resumes calls exactly once
 * must make (the call before it is forwarded, the answer before it is sent), one SQLite row each, no
 * other code. Each write's turn commits before its message leaves (the output gate), so this is
 * the lowest sequential latency a durable gateway can have on the same platform.
 */
export class DurableFloorGateway extends FloorGateway {
  constructor(ctx: DurableObjectState, env: FloorEnv) {
    super(ctx, env);
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS calls (id INTEGER PRIMARY KEY, answer TEXT)');
  }

  protected override received(call: FloorCall): void {
    this.ctx.storage.sql.exec('INSERT OR REPLACE INTO calls (id, answer) VALUES (?, NULL)', call.id);
  }

  protected override answering(call: FloorCall, answer: string): void {
    this.ctx.storage.sql.exec('UPDATE calls SET answer = ? WHERE id = ?', answer, call.id);
  }
}
