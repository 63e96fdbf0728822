/**
 * The Node side of the no-library peers (worker/bare.mts): `[id, method, args]` → `[id, result]`
 * over a plain socket, so the bench rows show what the platform itself costs per socket kind.
 */

/** A connected bare peer. */
export interface BareClient {
  call(method: 'increment' | 'echo' | 'add', args: unknown[]): Promise<unknown>;
  close(): void;
}

/** Opens a socket to `/<route>/<instance>` and resolves once it is open. */
export async function connectBare(wsUrl: string, route: 'bare-hibernating' | 'bare-accept', instance: string, WS: typeof WebSocket = WebSocket): Promise<BareClient> {
  const ws = new WS(`${wsUrl}/${route}/${encodeURIComponent(instance)}`);
  const pending = new Map<number, (v: unknown) => void>();
  let next = 0;
  ws.onmessage = (event) => {
    const [id, result] = JSON.parse(event.data as string) as [number, unknown];
    pending.get(id)?.(result);
    pending.delete(id);
  };
  await new Promise((resolve, reject) => {
    ws.addEventListener('open', resolve, { once: true });
    ws.addEventListener('error', () => reject(new Error(`${route} socket failed to open`)), { once: true });
  });
  return {
    call: (method, args) =>
      new Promise<unknown>((resolve) => {
        const id = next++;
        pending.set(id, resolve);
        ws.send(JSON.stringify([id, method, args]));
      }),
    close: () => ws.close(),
  };
}
