/**
 * `this.svc.fanout` (mesh spec §9 item 11): delivers one continuation to many recipients as a new
 * chain originating at this DO. Up to `maxDirect` recipients the DO calls them itself; above that it
 * runs the first tier of a tree of LumenizeFanoutWorker instances (see tier.ts) and stays within
 * ⌈n^(1/L)⌉ outbound calls. The optional handler gets the FanoutSummary, aggregated up the tiers.
 */
import { debug } from '@lumenize/debug';
import { copyCallContext, outgoingCallContext, receiveCallContext } from '../call-context.ts';
import { currentCallContext, runWithCallContext } from '../context-store.ts';
import { serializeChain } from '../envelope.ts';
import { assertHandlerTarget, entryName } from '../handler-target.ts';
import { getOperationChain, isContinuation, type AnyContinuation } from '../ocan/continuation.ts';
import { executeOperationChain, replaceNestedOperationMarkers } from '../ocan/execute.ts';
import { LOCAL_EXECUTION } from '../node/outbound.ts';
import type { OperationChain } from '../ocan/types.ts';
import type { NodeIdentity } from '../protocol.ts';
import { checkMeshBinding } from '../stub.ts';
import { FanoutLimitError } from './errors.ts';
import { FANOUT_JOB_VERSION, type FanoutJob, type FanoutRecipient } from './job.ts';
import { resolveFanoutOptions, type FanoutOptions, type ResolvedFanoutOptions } from './limits.ts';
import type { FanoutSummary } from './summary.ts';
import { levelsFor } from './tiering.ts';
import { runTier } from './tier.ts';

const log = debug('lmz.mesh.fanout.send');

/** What the service needs from its LumenizeDO. */
interface FanoutHost {
  readonly env: object;
  readonly lmz: { readonly bindingName?: string; readonly instanceNameOrId?: string; selfIdentity(): NodeIdentity };
}

/** The class's `static fanoutOptions`, if any. */
export function classFanoutOptions(doInstance: object): unknown {
  return (doInstance.constructor as { fanoutOptions?: unknown }).fanoutOptions;
}

/** Checks a send's size and the fan-out binding it needs; throws FanoutLimitError. */
export function checkFanoutSize(env: object, n: number, opts: ResolvedFanoutOptions, what = 'svc.fanout.send'): void {
  if (n > opts.maxRecipients) {
    throw new FanoutLimitError(
      `${what} got ${n} recipients, more than maxRecipients (${opts.maxRecipients}); nothing was sent. Split the list or raise maxRecipients (at most 262,144) in fanoutOptions`,
      'TOO_MANY_RECIPIENTS',
      opts.maxRecipients,
    );
  }
  if (levelsFor(n, opts.maxDirect) === 1) return;
  try {
    checkMeshBinding(env, opts.binding, undefined);
  } catch (e) {
    throw new FanoutLimitError(
      `${what} of ${n} recipients needs the fan-out Worker binding '${opts.binding}' (${(e as Error).message}); nothing was sent. Export LumenizeFanoutWorker and add a service binding "${opts.binding}" with "entrypoint": "LumenizeFanoutWorker"`,
      'MISSING_FANOUT_BINDING',
      opts.maxDirect,
    );
  }
}

function copyRecipients(env: object, recipients: unknown): FanoutRecipient[] {
  if (!Array.isArray(recipients)) throw new FanoutLimitError('svc.fanout.send(recipients, ...): recipients must be an array of { bindingName, instanceName? }', 'INVALID_RECIPIENT', 0);
  return recipients.map((r: unknown, i) => {
    const { bindingName, instanceName } = (typeof r === 'object' && r !== null ? r : {}) as Partial<FanoutRecipient>;
    try {
      checkMeshBinding(env, bindingName, instanceName);
    } catch (e) {
      throw new FanoutLimitError(`svc.fanout.send: recipients[${i}] is not reachable: ${(e as Error).message}; nothing was sent`, 'INVALID_RECIPIENT', 0);
    }
    return instanceName === undefined ? { bindingName: bindingName! } : { bindingName: bindingName!, instanceName };
  });
}

/**
 * The `fanout` service of a LumenizeDO.
 * @example this.svc.fanout.send(members, this.ctn<Member>().notify('hi'), this.ctn().sent(this.ctn().$result));
 */
export class Fanout {
  #host: FanoutHost;

  constructor(doInstance: object) {
    this.#host = doInstance as FanoutHost;
  }

  /**
   * Delivers `continuation` to every recipient as a new chain originating at this DO; synchronous,
   * fire-and-forget. Throws (and sends nothing) on a bad continuation, handler, recipient or option,
   * or more than `maxRecipients`. `handler` runs once with the FanoutSummary as `$result`.
   * @example this.svc.fanout.send([{ bindingName: 'ROOM', instanceName: 'r1' }], this.ctn<Room>().ping());
   */
  send(recipients: readonly FanoutRecipient[], continuation: AnyContinuation, handler?: AnyContinuation, options?: FanoutOptions): void {
    const host = this.#host;
    const env = host.env;
    const opts = resolveFanoutOptions(classFanoutOptions(host as object), options);
    if (!isContinuation(continuation)) throw new TypeError('Invalid continuation: svc.fanout.send needs one made with this.ctn()');
    let handlerChain: OperationChain | undefined;
    if (handler !== undefined) {
      if (!isContinuation(handler)) throw new TypeError('Invalid handlerContinuation: must be created with this.ctn()');
      handlerChain = getOperationChain(handler)!;
      assertHandlerTarget(handlerChain, host as object, 'Invalid handlerContinuation: handler');
    }
    if (Array.isArray(recipients) && recipients.length > opts.maxRecipients) checkFanoutSize(env, recipients.length, opts);
    const targets = copyRecipients(env, recipients);
    checkFanoutSize(env, targets.length, opts);
    const self = host.lmz.selfIdentity();
    const chain = serializeChain(continuation);
    if (targets.length === 0) return;
    const callContext = outgoingCallContext(undefined, self, { newChain: true });
    const current = currentCallContext();
    const handlerContext = handlerChain ? (current ? copyCallContext(current) : receiveCallContext(structuredClone(callContext))) : undefined;
    const levels = levelsFor(targets.length, opts.maxDirect);
    const job: FanoutJob = {
      v: FANOUT_JOB_VERSION,
      levels,
      binding: opts.binding,
      timeoutMs: opts.branchTimeoutMs,
      work: { type: 'call', chain, callContext, caller: { type: 'LumenizeDO', bindingName: host.lmz.bindingName, instanceNameOrId: host.lmz.instanceNameOrId } },
      recipients: targets,
    };
    const method = entryName(getOperationChain(continuation)!);
    if (log.enabled) log.debug('fan-out sent', { method, recipients: targets.length, levels });
    runTier(env, job)
      .then(async (summary) => {
        if (summary.failed.length > 0) log.warn('fan-out had failures', { method, total: summary.total, delivered: summary.delivered, failed: summary.failed.length });
        if (!handlerChain) return;
        const run = replaceNestedOperationMarkers(handlerChain, summary as FanoutSummary<FanoutRecipient>);
        try {
          await runWithCallContext(handlerContext!, () => executeOperationChain(run, host as object, LOCAL_EXECUTION));
        } catch (error) {
          log.error('fan-out handler failed', { method, handler: entryName(run), error });
        }
      })
      .catch((error: unknown) => log.error('fan-out failed', { method, error }));
  }
}

declare global {
  interface LumenizeServices {
    /** Fan-out to many recipients through tiers of LumenizeFanoutWorker (mesh spec §9 item 11). */
    fanout: Fanout;
  }
}

/** The NADIS factory for `fanout` (registered by nadis/registry.ts). */
export function createFanout(doInstance: object): Fanout {
  return new Fanout(doInstance);
}
