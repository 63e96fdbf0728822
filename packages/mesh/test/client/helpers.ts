/** Shared helpers for the mesh clients workerd tests. */
import { SELF } from 'cloudflare:test';
import { getWebSocketShim } from '@lumenize/utils';
import { makeToken } from './sim-auth.ts';

let counter = 0;
/** A fresh tab id per call (WebSocket tests cannot use isolated storage). */
export function tab(label = 'tab'): string {
  counter++;
  return `${label}${counter}-${crypto.randomUUID().slice(0, 6)}`;
}

/** SELF.fetch bound for the shim and Browser. */
export const selfFetch: typeof fetch = (input, init) => SELF.fetch(input as Request, init as RequestInit);

/** A raw protocol socket to a gateway, with an awaitable message inbox. */
export interface RawSocket {
  ws: WebSocket;
  messages: Array<Record<string, unknown>>;
  /** Resolves with the next message (optionally of `type`), waiting for it. */
  next(type?: string): Promise<Record<string, unknown>>;
  send(message: unknown): void;
  sendText(text: string | ArrayBuffer): void;
  closed: Promise<{ code: number; reason: string }>;
}

/** Opens a raw socket through the router as `userId` to `{binding}/{instanceName}`. */
export async function openRaw(
  instanceName: string,
  opts: { userId?: string; binding?: string; token?: string; protocols?: string[]; ttl?: number; forwardExp?: number } = {},
): Promise<RawSocket> {
  const userId = opts.userId ?? instanceName.split('.')[0];
  const token = opts.token ?? makeToken(userId, opts.ttl ?? 3600, opts.forwardExp === undefined ? {} : { forwardExp: opts.forwardExp });
  const Shim = getWebSocketShim(selfFetch);
  const ws = new Shim(`ws://test.local/gateway/${opts.binding ?? 'LUMENIZE_CLIENT_GATEWAY'}/${instanceName}`, ['lmz', `lmz.access-token.${token}`, ...(opts.protocols ?? [])]) as unknown as WebSocket;
  const messages: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  ws.addEventListener('message', (e: MessageEvent) => {
    messages.push(JSON.parse(e.data as string) as Record<string, unknown>);
    for (const w of waiters.splice(0)) w();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.addEventListener('close', (e: CloseEvent) => {
      resolve({ code: e.code, reason: e.reason });
      for (const w of waiters.splice(0)) w();
    });
  });
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve());
    ws.addEventListener('close', (e: CloseEvent) => reject(new Error(`socket closed before open: ${e.code}`)));
  });
  let read = 0;
  const next = async (type?: string): Promise<Record<string, unknown>> => {
    for (;;) {
      while (read < messages.length) {
        const m = messages[read++];
        if (!type || m.type === type) return m;
      }
      if (ws.readyState === WebSocket.CLOSED) throw new Error(`socket closed while waiting for ${type ?? 'a message'}`);
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return {
    ws,
    messages,
    next,
    send: (m) => ws.send(JSON.stringify(m)),
    sendText: (t) => ws.send(t),
    closed,
  };
}

/** Waits until `predicate` holds, polling with real I/O in between (no elapsed-time assertions). */
export async function until(predicate: () => boolean | Promise<boolean>, what = 'condition', attempts = 400): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}
