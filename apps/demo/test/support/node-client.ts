/**
 * DocsClient in Node: the same class the browser bundles, connected to a running demo with a
 * signed-in session (Node 22 has WebSocket and fetch built in).
 */
import { DocsClient } from '../../web/docs-client.ts';
import type { NodeSession } from './sign-in.ts';

/** Connects a DocsClient as `session`'s user and waits until it is connected. */
export async function connectNodeClient(baseUrl: string, session: NodeSession, tab = crypto.randomUUID().slice(0, 8)): Promise<DocsClient> {
  let resolveConnected: () => void = () => {};
  const connected = new Promise<void>((resolve) => (resolveConnected = resolve));
  const client = new DocsClient({
    instanceName: `${session.userId}.${tab}`,
    baseUrl,
    accessToken: session.accessToken,
    refresh: () => session.refresh(),
    onConnectionStateChange: (state) => state === 'connected' && resolveConnected(),
  });
  await Promise.race([connected, new Promise((_, reject) => setTimeout(() => reject(new Error('DocsClient did not connect within 10 s')), 10_000))]);
  return client;
}

/** Polls `check` until it returns a value other than undefined (a liveness wait, not a timing claim). */
export async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
