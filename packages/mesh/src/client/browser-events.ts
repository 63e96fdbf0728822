/**
 * Browser hints that the network is back (mesh spec §4.10): `online`, window `focus` and
 * `visibilitychange` to visible trigger an immediate reconnect attempt (the connection ignores them
 * unless it is waiting to reconnect). Returns a function that removes the listeners.
 */
interface EventTargetLike {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

/** Installs the listeners on `window` and `document` when they exist. */
export function installBrowserRetryListeners(retry: () => void): () => void {
  const g = globalThis as { window?: EventTargetLike; document?: EventTargetLike & { visibilityState?: string } };
  const win = g.window;
  const doc = g.document;
  const onVisibility = () => {
    if (doc?.visibilityState === 'visible') retry();
  };
  win?.addEventListener('online', retry);
  win?.addEventListener('focus', retry);
  doc?.addEventListener('visibilitychange', onVisibility);
  return () => {
    win?.removeEventListener('online', retry);
    win?.removeEventListener('focus', retry);
    doc?.removeEventListener('visibilitychange', onVisibility);
  };
}
