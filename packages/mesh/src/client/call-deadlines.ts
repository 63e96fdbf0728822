/**
 * Call timeouts of a LumenizeClient with one timer. Every call gets the same timeout, so the
 * oldest unanswered call always has the earliest deadline: one timer, armed for it, replaces a timer
 * per call. An armed timer is not cleared when calls are answered: it lapses and re-arms for
 * whatever is then oldest.
 * @example const d = new CallDeadlines<Call>((call) => call.reject(new Error('Call timed out'))); d.add(call);
 */
export class CallDeadlines<T extends { deadline: number }> {
  #items = new Set<T>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #onExpired: (item: T) => void;

  /** `onExpired` runs once for each item whose deadline (a `performance.now()` value) passed. */
  constructor(onExpired: (item: T) => void) {
    this.#onExpired = onExpired;
  }

  /** Tracks an item; items must be added in deadline order (same timeout for all). */
  add(item: T): void {
    this.#items.add(item);
    this.#arm();
  }

  /** Stops tracking an item (answered, or failed otherwise). */
  delete(item: T): void {
    this.#items.delete(item);
  }

  /** Stops tracking everything and the timer. */
  clear(): void {
    this.#items.clear();
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(): void {
    if (this.#timer !== undefined) return;
    const first = this.#items.values().next();
    if (first.done) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#expire();
    }, Math.max(0, first.value.deadline - performance.now()));
  }

  /** Expires every item whose deadline has passed (oldest first), then re-arms for the next. */
  #expire(): void {
    const now = performance.now();
    for (const item of this.#items) {
      if (item.deadline > now) break;
      this.#items.delete(item);
      this.#onExpired(item);
    }
    this.#arm();
  }
}
