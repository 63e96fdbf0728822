/**
 * `FetchExecutorEntrypoint` (spec fetch §3.3): receives the hand-off from an origin DO, answers at
 * once, fetches in the background (`ctx.waitUntil`) and delivers the outcome as a new inbound call
 * to the origin DO (`__receiveResult`), so the origin holds no pending I/O while upstream runs.
 */
import { debug } from '@lumenize/debug';
import { LumenizeWorker, mesh } from '@lumenize/mesh';
import { RequestSync, stringify } from '@lumenize/structured-clone';
import { getDOStub, safeUrl } from '@lumenize/utils';
import { FetchAuthorizationError } from './errors.ts';
import { MAX_HANDOFF_BATCH, WORK_TYPE } from './limits.ts';
import { fetcherFor, performFetch } from './outbound.ts';
import type { FetchMessage } from './types.ts';

const log = debug('lmz.fetch.FetchExecutorEntrypoint');

interface Deliverable {
  __receiveResult(workType: string, workId: string, serialized: unknown): Promise<void>;
}

function checkMessage(message: unknown): FetchMessage {
  const m = message as Partial<FetchMessage> | null;
  const bad = (what: string) => new TypeError(`executeFetch: invalid message: ${what}`);
  if (typeof m !== 'object' || m === null) throw bad('expected an object');
  if (typeof m.reqId !== 'string' || m.reqId === '') throw bad('reqId must be a non-empty string');
  if (typeof m.originBinding !== 'string' || m.originBinding === '') throw bad('originBinding must be a non-empty string');
  if (typeof m.originId !== 'string' || m.originId === '') throw bad('originId must be a non-empty string');
  if (typeof m.fetchTimeout !== 'number' || !Number.isFinite(m.fetchTimeout) || m.fetchTimeout <= 0) throw bad('fetchTimeout must be a number > 0');
  if (typeof m.request !== 'string' && !(m.request instanceof RequestSync)) throw bad('request must be a URL string or a RequestSync');
  if (m.options !== undefined && (typeof m.options !== 'object' || m.options === null)) throw bad('options must be an object');
  return m as FetchMessage;
}

/**
 * Export it from your Worker and bind it to itself as `FETCH_EXECUTOR`. Never route it from the
 * public `fetch` handler. Docs: docs/fetch.md#set-up.
 * @example export { FetchExecutorEntrypoint } from '@lumenize/fetch';
 */
export class FetchExecutorEntrypoint extends LumenizeWorker {
  /** Acknowledges the hand-off at once; fetch and delivery continue in the background. */
  @mesh
  executeFetch(message: FetchMessage): void {
    const m = this.#authorize(message, 'executeFetch');
    this.ctx.waitUntil(this.#run(m));
  }

  /**
   * The hand-offs one origin DO made in one turn (up to MAX_HANDOFF_BATCH): all are checked before
   * any is fetched, then each runs as `executeFetch` would. Acknowledges at once.
   */
  @mesh
  executeFetchBatch(messages: FetchMessage[]): void {
    if (!Array.isArray(messages) || messages.length === 0 || messages.length > MAX_HANDOFF_BATCH) {
      throw new TypeError(`executeFetchBatch: invalid messages: expected an array of 1 to ${MAX_HANDOFF_BATCH} FetchMessages`);
    }
    const checked = messages.map((m) => this.#authorize(m, 'executeFetchBatch'));
    for (const m of checked) this.ctx.waitUntil(this.#run(m));
  }

  /** No open proxy: only the origin DO itself may hand off its request (spec §5). */
  #authorize(message: unknown, method: string): FetchMessage {
    const m = checkMessage(message);
    const caller = this.lmz.callContext.caller;
    if (caller.type !== 'LumenizeDO' || caller.bindingName !== m.originBinding || caller.instanceName !== m.originId) {
      log.warn(`refused ${method} from a caller that is not the origin DO`, { reqId: m.reqId, caller: { type: caller.type, bindingName: caller.bindingName } });
      throw new FetchAuthorizationError(
        `${method} refused: the immediate caller must be the LumenizeDO named in the message (${m.originBinding}); nothing was fetched`,
      );
    }
    log.debug('accepted', { reqId: m.reqId, url: safeUrl(typeof m.request === 'string' ? m.request : m.request.url) });
    return m;
  }

  async #run(m: FetchMessage): Promise<void> {
    const url = safeUrl(typeof m.request === 'string' ? m.request : m.request.url);
    const fetchFn = fetcherFor(this.env as object, m.options?.outboundBinding);
    const result = await performFetch(m.request, fetchFn, m.fetchTimeout, m.options?.idempotencyKey);
    log.info('fetched', { reqId: m.reqId, url, outcome: result instanceof Error ? result.name : result.status });
    if (m.options?.testMode?.simulateDeliveryFailure) {
      log.warn('delivery skipped (testMode.simulateDeliveryFailure)', { reqId: m.reqId });
      return;
    }
    try {
      const serialized = stringify(result);
      const namespace = (this.env as unknown as Record<string, unknown>)[m.originBinding] as DurableObjectNamespace;
      using stub = getDOStub(namespace, m.originId) as unknown as Deliverable & Disposable;
      await stub.__receiveResult(WORK_TYPE, m.reqId, serialized);
      log.debug('delivered', { reqId: m.reqId });
    } catch (error) {
      // The origin's watchdog answers instead (FetchTimeoutError).
      log.warn('delivery to the origin DO failed; its watchdog will report a timeout', { reqId: m.reqId, url, error });
    }
  }
}
