/**
 * Runs local code under a call context that this node builds itself — e.g. an MCP session DO
 * running a tool with the `originAuth` its router verified. Server only (AsyncLocalStorage).
 * Not reachable over the wire: inbound mesh calls still get their context from the checked envelope.
 */
import { receiveCallContext, validateWireCallContext } from './call-context.ts';
import { runWithCallContext } from './context-store.ts';
import type { WireCallContext } from './protocol.ts';

/**
 * Checks `wire` (same rules as a received envelope), freezes it and runs `fn` with it as
 * `this.lmz.callContext`. The caller vouches for `originAuth`: pass only identity it verified.
 * @example runInCallContext({ callChain: [{ type: 'LumenizeDO', bindingName: 'MCP', instanceName: id }], originAuth: { userId }, state: {} }, () => this.work());
 */
export function runInCallContext<R>(wire: WireCallContext, fn: () => R): R {
  validateWireCallContext(wire);
  return runWithCallContext(receiveCallContext(wire), fn);
}
