/**
 * The current call context inside a LumenizeClient, without Node-only APIs (mesh spec §4.10): it is
 * set for the synchronous part of an inbound call or result handler. Code that reads
 * `this.lmz.callContext` after its own first `await` is unsupported (documented in
 * docs/mesh-clients.md).
 */
import type { CallContext } from '../protocol.ts';

let current: CallContext | undefined;

/** Runs `fn` with `ctx` as the current client call context (restored afterwards). */
export function runWithClientContext<R>(ctx: CallContext, fn: () => R): R {
  const previous = current;
  current = ctx;
  try {
    return fn();
  } finally {
    current = previous;
  }
}

/** The current client call context, or undefined outside an inbound call or handler. */
export function currentClientContext(): CallContext | undefined {
  return current;
}
