/**
 * `McpClientExecutor`: runs MCP exchanges off the origin DO's clock. It acknowledges the hand-off
 * at once, runs the exchange in `ctx.waitUntil`, and delivers the outcome to the origin DO as a new
 * inbound call (`__receiveResult('mcp', reqId, …)`), so the DO holds no pending I/O meanwhile.
 */
import { debug } from '@lumenize/debug';
import { LumenizeWorker, mesh } from '@lumenize/mesh';
import { stringify } from '@lumenize/structured-clone';
import { getDOStub, safeUrl } from '@lumenize/utils';
import { McpClientError } from './errors.ts';
import { httpFetchFor, runExchange } from './exchange.ts';
import { CLIENT_WORK_TYPE } from './limits.ts';
import type { McpClientMessage } from './types.ts';
import { checkMessage } from './validate.ts';

const log = debug('lmz.mcp.McpClientExecutor');

interface Deliverable {
  __receiveResult(workType: string, workId: string, serialized: unknown): Promise<void>;
}

/**
 * Export it from your Worker and bind it to the Worker itself as `MCP_CLIENT_EXECUTOR`
 * (`"services": [{ "binding": "MCP_CLIENT_EXECUTOR", "service": "<this worker>", "entrypoint": "McpClientExecutor" }]`).
 * Docs: docs/mcp.md#mcp-client.
 * @example export { McpClientExecutor } from '@lumenize/mcp';
 */
export class McpClientExecutor extends LumenizeWorker {
  /** Acknowledges at once; the exchange and the delivery continue in the background. */
  @mesh
  executeMcp(message: McpClientMessage): void {
    const m = checkMessage(message);
    // No open relay: only the origin DO itself may hand off its own request.
    const caller = this.lmz.callContext.caller;
    if (caller.type !== 'LumenizeDO' || caller.bindingName !== m.originBinding || caller.instanceName !== m.originId) {
      log.warn('refused executeMcp from a caller that is not the origin DO', { reqId: m.reqId, caller: { type: caller.type, bindingName: caller.bindingName } });
      throw new McpClientError('REFUSED', `executeMcp refused: the immediate caller must be the LumenizeDO named in the message (${m.originBinding}); nothing was sent`);
    }
    log.debug('accepted', { reqId: m.reqId, url: safeUrl(m.url), operation: m.operation.kind });
    this.ctx.waitUntil(this.#run(m));
  }

  async #run(m: McpClientMessage): Promise<void> {
    const url = safeUrl(m.url);
    const outcome = await runExchange(m, httpFetchFor(this.env as object, m.outboundBinding));
    log.info('exchanged', { reqId: m.reqId, url, operation: m.operation.kind, outcome: outcome instanceof McpClientError ? outcome.code : 'ok' });
    try {
      const namespace = (this.env as unknown as Record<string, unknown>)[m.originBinding] as DurableObjectNamespace;
      using stub = getDOStub(namespace, m.originId) as unknown as Deliverable & Disposable;
      await stub.__receiveResult(CLIENT_WORK_TYPE, m.reqId, stringify(outcome));
      log.debug('delivered', { reqId: m.reqId });
    } catch (error) {
      // The origin's watchdog answers instead (McpClientError TIMEOUT).
      log.warn('delivery to the origin DO failed; its watchdog will report a timeout', { reqId: m.reqId, url, error });
    }
  }
}
