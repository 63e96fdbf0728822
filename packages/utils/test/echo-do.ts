/** Test DOs that report what they received, count calls in storage, and echo WebSocket messages. */
import { DurableObject } from 'cloudflare:workers';

export interface EchoReport {
  className: string;
  url: string;
  method: string;
  headers: Record<string, string>;
  id: string;
  body: string;
}

abstract class ReportingDO extends DurableObject {
  abstract readonly className: string;

  override async fetch(request: Request): Promise<Response> {
    this.ctx.storage.kv.put('calls', this.calls() + 1);
    const path = new URL(request.url).pathname;
    if (request.headers.get('Upgrade')?.toLowerCase() === 'websocket') {
      const pair = new WebSocketPair();
      this.ctx.acceptWebSocket(pair[1]);
      // Remember the upgrade headers so tests can ask what the socket was opened with.
      pair[1].serializeAttachment(Object.fromEntries(request.headers));
      const protocol = request.headers.get('Sec-WebSocket-Protocol')?.split(',')[0]?.trim();
      const headers = new Headers();
      if (protocol) headers.set('Sec-WebSocket-Protocol', protocol);
      const setCookie = new URL(request.url).searchParams.get('set-cookie');
      if (setCookie) headers.set('Set-Cookie', setCookie);
      return new Response(null, { status: 101, webSocket: pair[0], headers });
    }
    if (path.endsWith('/stream')) {
      // The body is written after fetch() returns, so the router must not cut it off.
      const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
      const writer = writable.getWriter();
      const encoder = new TextEncoder();
      void (async () => {
        for (let i = 0; i < 5; i++) {
          await scheduler.wait(5);
          await writer.write(encoder.encode(`chunk${i};`));
        }
        await writer.close();
      })();
      return new Response(readable, { headers: { 'Content-Type': 'text/plain' } });
    }
    const report: EchoReport = {
      className: this.className,
      url: request.url,
      method: request.method,
      headers: Object.fromEntries(request.headers),
      id: this.ctx.id.toString(),
      body: await request.text(),
    };
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (path.endsWith('/vary')) headers.Vary = 'Accept';
    return new Response(JSON.stringify(report), { status: 200, statusText: 'Fine', headers });
  }

  /** How many fetches reached this instance. */
  calls(): number {
    return this.ctx.storage.kv.get<number>('calls') ?? 0;
  }

  hello(name: string): string {
    return `hello ${name}`;
  }

  override webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    if (message === 'close-me') ws.close(4001, 'server closing');
    else if (message === 'headers') ws.send(JSON.stringify(ws.deserializeAttachment()));
    else if (typeof message === 'string') ws.send(`echo:${message}`);
    else ws.send(message);
  }

  override webSocketClose(ws: WebSocket, code: number, reason: string): void {
    ws.close(code, reason);
  }
}

export class EchoDO extends ReportingDO {
  readonly className = 'EchoDO';
}

export class UserSession extends ReportingDO {
  readonly className = 'UserSession';
}
