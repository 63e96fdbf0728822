/**
 * Tool and prompt methods run inside a mesh call context, so `this.lmz.callContext.originAuth` is
 * the verified bearer token's identity and outgoing `this.lmz.call(...)`s carry it on. The chain
 * starts at this session DO; nothing here comes from the MCP client.
 */
import { runInCallContext, type OriginAuth, type WireCallContext } from '@lumenize/mesh';

/** Runs `fn` under this session's call context (directly when `host` is not a mesh node). */
export function runAsSession<R>(host: object, sessionId: string, originAuth: OriginAuth | undefined, fn: () => R): R {
  const lmz = (host as { lmz?: { bindingName?: unknown } }).lmz;
  const bindingName = lmz?.bindingName;
  if (typeof bindingName !== 'string') return fn();
  const wire: WireCallContext = { callChain: [{ type: 'LumenizeDO', bindingName, instanceName: sessionId }], state: {} };
  if (originAuth) wire.originAuth = structuredClone(originAuth);
  return runInCallContext(wire, fn);
}
