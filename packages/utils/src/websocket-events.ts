/** Event classes for the WebSocket shim; `CloseEvent` is missing from some runtimes (Node 22). */

export interface CloseEventShape extends Event {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
}

class ShimCloseEvent extends Event implements CloseEventShape {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
  constructor(type: string, init: { code?: number; reason?: string; wasClean?: boolean } = {}) {
    super(type);
    this.code = init.code ?? 0;
    this.reason = init.reason ?? '';
    this.wasClean = init.wasClean ?? false;
  }
}

/** A `close` event (the runtime's `CloseEvent` when present). */
export function closeEvent(code: number, reason: string, wasClean: boolean): CloseEventShape {
  const Native = (globalThis as { CloseEvent?: new (type: string, init: object) => CloseEventShape }).CloseEvent;
  return Native ? new Native('close', { code, reason, wasClean }) : new ShimCloseEvent('close', { code, reason, wasClean });
}

/** A `message` event carrying `data`. */
export function messageEvent(data: unknown): MessageEvent {
  return new MessageEvent('message', { data });
}
