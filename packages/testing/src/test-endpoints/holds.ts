/**
 * Held requests: `/hold/{key}` waits until a test calls `release(key)` (or the 30 s cap), so a test
 * can keep an upstream request in flight for exactly as long as it needs and no longer: the order
 * of events is driven by the test, not by a timer.
 */

/** Longest a request may be held, the same cap as `/delay`. */
export const MAX_HOLD_MS = 30_000;

interface Hold {
  release: (released: boolean) => void;
}

/** In-memory registry of held requests of one TestEndpointsDO instance. */
export class HoldRegistry {
  #holds = new Map<string, Hold[]>();
  #released = new Set<string>();

  /** Waits until `key` is released (resolves true) or the cap passes (resolves false). */
  wait(key: string): Promise<boolean> {
    if (this.#released.has(key)) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => done(false), MAX_HOLD_MS);
      const done = (released: boolean) => {
        clearTimeout(timer);
        const list = this.#holds.get(key) ?? [];
        const rest = list.filter((h) => h !== hold);
        if (rest.length === 0) this.#holds.delete(key);
        else this.#holds.set(key, rest);
        resolve(released);
      };
      const hold: Hold = { release: done };
      this.#holds.set(key, [...(this.#holds.get(key) ?? []), hold]);
    });
  }

  /**
   * Releases every request held under `key` and every later one (a release that comes before the
   * request is not lost). Returns how many were waiting.
   */
  release(key: string): number {
    this.#released.add(key);
    const list = this.#holds.get(key) ?? [];
    for (const hold of list) hold.release(true);
    return list.length;
  }

  /** Keys with at least one request currently held. */
  keys(): string[] {
    return [...this.#holds.keys()];
  }
}
