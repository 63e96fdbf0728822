/**
 * A network switch for one Playwright browser context. `context.setOffline(true)` makes the page
 * see `navigator.onLine === false` and fails new requests, but Chromium keeps an already open
 * WebSocket alive. Real network loss kills it, so `goOffline()` also drops the context's gateway
 * sockets abnormally (code 1006, both ends) and refuses new ones until `goOnline()`.
 * Sockets are routed with `routeWebSocket` but still opened by the page itself (same URL and
 * subprotocols), so the auth middleware and the gateway see an ordinary browser connection.
 */
import type { BrowserContext, WebSocketRoute } from 'playwright-core';

export interface NetworkSwitch {
  goOffline(): Promise<void>;
  goOnline(): Promise<void>;
  /** Gateway sockets dropped by `goOffline` or refused while offline. */
  readonly dropped: number;
}

/** Installs the switch; call before the context's pages open their sockets. */
export async function networkSwitch(context: BrowserContext): Promise<NetworkSwitch> {
  let offline = false;
  let dropped = 0;
  let live: Array<{ page: WebSocketRoute; server: WebSocketRoute }> = [];
  await context.routeWebSocket(/\/gateway\//, (page) => {
    if (offline) {
      dropped++;
      void page.close({ code: 1006, reason: 'network offline' });
      return;
    }
    const server = page.connectToServer();
    live.push({ page, server });
  });
  return {
    get dropped() {
      return dropped;
    },
    async goOffline() {
      offline = true;
      await context.setOffline(true);
      const sockets = live;
      live = [];
      for (const { page, server } of sockets) {
        dropped++;
        await server.close({ code: 1006, reason: 'network offline' }).catch(() => {});
        await page.close({ code: 1006, reason: 'network offline' }).catch(() => {});
      }
    },
    async goOnline() {
      offline = false;
      await context.setOffline(false);
    },
  };
}
