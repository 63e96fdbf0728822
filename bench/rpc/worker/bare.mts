/**
 * The runtime's floor: two Durable Objects with no RPC library at all, the same method bodies as
 * the counters, over a minimal JSON protocol (request `[id, method, args]`, answer `[id, result]`).
 * `BareHibernating` uses the hibernation API (`ctx.acceptWebSocket` + `webSocketMessage`, as ours
 * does by default); `BareAccept` uses `accept()` + a message listener (as Cap'n Web's server and
 * ours with `hibernate: false` do). Ours ÷ bare shows what the library adds over the platform.
 */
import { DurableObject } from 'cloudflare:workers';

function answer(kv: SyncKvStorage, text: string): string {
  const [id, method, args] = JSON.parse(text) as [number, string, unknown[]];
  let result: unknown;
  if (method === 'increment') {
    const next = (kv.get<number>('count') ?? 0) + 1;
    kv.put('count', next);
    result = next;
  } else if (method === 'echo') result = args[0];
  else result = (args[0] as number) + (args[1] as number);
  return JSON.stringify([id, result]);
}

export class BareHibernating extends DurableObject {
  override fetch(): Response {
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  override webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    ws.send(answer(this.ctx.storage.kv, message as string));
  }
}

export class BareAccept extends DurableObject {
  override fetch(): Response {
    const pair = new WebSocketPair();
    const server = pair[1];
    server.accept();
    server.addEventListener('message', (event) => server.send(answer(this.ctx.storage.kv, event.data as string)));
    return new Response(null, { status: 101, webSocket: pair[0] });
  }
}

