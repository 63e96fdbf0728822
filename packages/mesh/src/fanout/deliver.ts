/**
 * The last tier: deliver to each recipient of the branch directly, in parallel, each bounded by the
 * branch timeout. Every recipient ends up counted as delivered or listed under `failed`.
 */
import { debug } from '@lumenize/debug';
import { getDOStub } from '@lumenize/utils';
import type { LmzIntermediate } from '@lumenize/structured-clone';
import { buildCallEnvelope, decodeCallResult, deserializeValue, serializeChain, toError } from '../envelope.ts';
import { newContinuation } from '../ocan/continuation.ts';
import { DELIVERY_METHOD, UnknownSubscriptionError } from '../pubsub/protocol.ts';
import type { NodeIdentity } from '../protocol.ts';
import { checkMeshBinding, getMeshStub } from '../stub.ts';
import { originOf, type CallWork, type FanoutJob, type FanoutTarget, type PublishWork } from './job.ts';
import type { FanoutSummary } from './summary.ts';
import { deadline } from './timeout.ts';

const log = debug('lmz.mesh.fanout.deliver');

/** Sends one mesh envelope and unwraps its reply (a remote error throws). */
async function sendEnvelope(env: object, r: FanoutTarget, chain: LmzIntermediate, callContext: CallWork['callContext'], caller: CallWork['caller']): Promise<void> {
  const envelope = buildCallEnvelope({ chain, callContext, caller, callee: { bindingName: r.bindingName, instanceNameOrId: r.instanceName } });
  using stub = getMeshStub(env, r.bindingName, r.instanceName);
  decodeCallResult(await stub.__executeOperation(envelope));
}

type DOSubscriber = Disposable & {
  [DELIVERY_METHOD](id: string, topic: string, value: LmzIntermediate, publisher: NodeIdentity): Promise<string>;
};

/** A pub/sub delivery: Workers RPC to a DO subscriber, a new-chain mesh call to a client's gateway. */
async function deliverPublished(env: object, work: PublishWork, r: FanoutTarget, decoded: () => unknown): Promise<void> {
  const id = r.subscriptionId ?? '';
  if (r.kind === 'LumenizeDO') {
    using stub = getDOStub((env as Record<string, DurableObjectNamespace>)[r.bindingName], r.instanceName!) as unknown as DOSubscriber;
    const outcome = await stub[DELIVERY_METHOD](id, work.topic, work.value, work.publisher);
    if (outcome === 'unknown-subscription') throw new UnknownSubscriptionError(id);
    return;
  }
  const remote = newContinuation<Record<string, (...a: unknown[]) => void>>()[DELIVERY_METHOD](id, work.topic, decoded());
  const p = work.publisher;
  await sendEnvelope(env, r, serializeChain(remote), { callChain: [p], state: {} }, { type: p.type, bindingName: p.bindingName, instanceNameOrId: p.instanceName });
}

/** Delivers the job's work to each of its recipients; never rejects. */
export async function deliverDirect(env: object, job: FanoutJob): Promise<FanoutSummary> {
  const work = job.work;
  const summary: FanoutSummary = { total: job.recipients.length, delivered: 0, failed: [] };
  let value: { v: unknown } | undefined;
  const decoded = () => (value ??= { v: deserializeValue((work as PublishWork).value) }).v;
  const due = deadline(job.timeoutMs);
  await Promise.all(
    job.recipients.map(async (r) => {
      try {
        checkMeshBinding(env, r.bindingName, r.instanceName);
        const sent = work.type === 'call' ? sendEnvelope(env, r, work.chain, work.callContext, work.caller) : deliverPublished(env, work, r, decoded);
        await due.race(sent, `Recipient '${r.bindingName}${r.instanceName === undefined ? '' : `/${r.instanceName}`}'`, 1);
        summary.delivered++;
      } catch (e) {
        summary.failed.push({ recipient: r, error: toError(e) });
      }
    }),
  );
  due.clear();
  if (log.enabled) log.debug('delivered', { origin: originOf(job), recipients: summary.total, delivered: summary.delivered, failed: summary.failed.length });
  return summary;
}
