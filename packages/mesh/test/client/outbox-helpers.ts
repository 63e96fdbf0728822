/**
 * A raw protocol socket for the outbox and idle tests: like helpers.ts' openRaw, but it also keeps
 * non-JSON text frames (the heartbeat pong) instead of parsing every frame as JSON.
 */
import { getWebSocketShim } from '@lumenize/utils';
import { selfFetch } from './helpers.ts';
import { makeToken } from './sim-auth.ts';

export interface ResumeSocket {
  ws: WebSocket;
  /** Protocol frames (JSON), in arrival order. */
  messages: Array<Record<string, unknown>>;
  /** Non-JSON text frames (pongs), in arrival order. */
  texts: string[];
  /** The next protocol frame, waiting for it. */
  next(): Promise<Record<string, unknown>>;
  /** Resolves once `texts` holds `count` entries. */
  textCount(count: number): Promise<void>;
  send(message: unknown): void;
  sendText(text: string): void;
  closed: Promise<{ code: number; reason: string }>;
}

/** Opens `{binding}/{instanceName}` through the router, offering `lmz.resume.<sessionId>.<ack>`. */
export async function openResume(instanceName: string, binding: string, sessionId: string, ack: number): Promise<ResumeSocket> {
  const userId = instanceName.split('.')[0]!;
  const Shim = getWebSocketShim(selfFetch);
  const ws = new Shim(`ws://test.local/gateway/${binding}/${instanceName}`, ['lmz', `lmz.access-token.${makeToken(userId)}`, `lmz.resume.${sessionId}.${ack}`]) as unknown as WebSocket;
  const messages: Array<Record<string, unknown>> = [];
  const texts: string[] = [];
  const waiters: Array<() => void> = [];
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  ws.addEventListener('message', (e: MessageEvent) => {
    const data = String(e.data);
    if (data.startsWith('{')) messages.push(JSON.parse(data) as Record<string, unknown>);
    else texts.push(data);
    wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.addEventListener('close', (e: CloseEvent) => {
      resolve({ code: e.code, reason: e.reason });
      wake();
    });
  });
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve());
    ws.addEventListener('close', (e: CloseEvent) => reject(new Error(`socket closed before open: ${e.code}`)));
  });
  let read = 0;
  const wait = async (ready: () => boolean, what: string) => {
    while (!ready()) {
      if (ws.readyState === WebSocket.CLOSED) throw new Error(`socket closed while waiting for ${what}`);
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return {
    ws,
    messages,
    texts,
    async next() {
      await wait(() => read < messages.length, 'a frame');
      return messages[read++]!;
    },
    textCount: (count) => wait(() => texts.length >= count, `${count} text frames`),
    send: (m) => ws.send(JSON.stringify(m)),
    sendText: (t) => ws.send(t),
    closed,
  };
}
