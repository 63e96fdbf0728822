/**
 * Requests in flight in this session DO, so `notifications/cancelled` can abort one: the tool sees
 * `extra.signal` abort, and no response is sent for it (MCP cancellation). In memory only: an
 * evicted DO has no running request left to cancel.
 */
import type { RequestId } from '@modelcontextprotocol/sdk/types.js';

/** `1` and `"1"` are different JSON-RPC ids. */
function key(id: RequestId): string {
  return `${typeof id}:${id}`;
}

export class InFlight {
  readonly #running = new Map<string, AbortController>();

  /** Registers request `id`; the returned signal aborts when the client cancels it. */
  start(id: RequestId): AbortSignal {
    const controller = new AbortController();
    this.#running.set(key(id), controller);
    return controller.signal;
  }

  /** The request is answered (or given up): forget it. */
  finish(id: RequestId, signal: AbortSignal): void {
    const k = key(id);
    // Only the registration that owns `signal`: a reused id must not clear a newer request.
    if (this.#running.get(k)?.signal === signal) this.#running.delete(k);
  }

  /**
   * Handles `notifications/cancelled` params: aborts the request they name. Unknown or finished
   * requests are ignored, as MCP allows (the cancel and the response may cross).
   */
  cancel(params: unknown): void {
    if (typeof params !== 'object' || params === null) return;
    const { requestId, reason } = params as { requestId?: unknown; reason?: unknown };
    if (typeof requestId !== 'string' && typeof requestId !== 'number') return;
    const controller = this.#running.get(key(requestId));
    if (!controller) return;
    this.#running.delete(key(requestId));
    controller.abort(new CancelledError(typeof reason === 'string' ? reason.slice(0, 500) : undefined));
  }
}

/** The reason of a cancelled tool's `extra.signal`. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  readonly code = 'MCP_CANCELLED';

  constructor(reason?: string) {
    super(reason ? `Cancelled by the client: ${reason}` : 'Cancelled by the client');
  }
}
