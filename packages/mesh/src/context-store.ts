/**
 * The current call context on the server: AsyncLocalStorage, so it is isolated per call and follows
 * async continuations. Needs the `nodejs_compat` (or `nodejs_als`) compatibility flag.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { CallContext } from './protocol.ts';

const store = new AsyncLocalStorage<CallContext>();

/** Runs `fn` with `ctx` as the current call context. */
export function runWithCallContext<R>(ctx: CallContext, fn: () => R): R {
  return store.run(ctx, fn);
}

/** The current call context, or `undefined` outside any mesh call, handler or alarm. */
export function currentCallContext(): CallContext | undefined {
  return store.getStore();
}

/** The current call context; throws outside any mesh call, handler or alarm. */
export function requireCallContext(): CallContext {
  const ctx = store.getStore();
  if (!ctx) throw new Error('Cannot access callContext outside of a mesh call');
  return ctx;
}
