/**
 * Browser network hints (mesh spec §4.10, docs/mesh-clients.md "Failure modes"). Browsers do not
 * close a socket when the network goes away (Chromium's offline mode leaves it open), so:
 * - `offline` gives the socket up at once (`lost`);
 * - `online` and `visibilitychange` to visible (a laptop waking up) are hints (`hint`): while
 *   connected the client pings at once, while waiting to reconnect it retries at once;
 * - window `focus` retries at once while waiting to reconnect (`retry`).
 * Returns a function that removes the listeners.
 */
interface EventTargetLike {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

/** What the listeners call on the connection. */
export interface BrowserNetworkHooks {
  /** The network may have changed: check the socket now, or reconnect now. */
  hint(): void;
  /** Retry now if waiting to reconnect. */
  retry(): void;
  /** The browser says the network is gone. */
  lost(): void;
}

/** Installs the listeners on `window` and `document` when they exist. */
export function installBrowserRetryListeners(hooks: BrowserNetworkHooks): () => void {
  const g = globalThis as { window?: EventTargetLike; document?: EventTargetLike & { visibilityState?: string } };
  const win = g.window;
  const doc = g.document;
  // One table for adding and removing, so the two can never disagree.
  const listeners: Array<[EventTargetLike | undefined, string, () => void]> = [
    [win, 'online', () => hooks.hint()],
    [win, 'offline', () => hooks.lost()],
    [win, 'focus', () => hooks.retry()],
    [doc, 'visibilitychange', () => doc?.visibilityState === 'visible' && hooks.hint()],
  ];
  for (const [target, type, listener] of listeners) target?.addEventListener(type, listener);
  return () => {
    for (const [target, type, listener] of listeners) target?.removeEventListener(type, listener);
  };
}
