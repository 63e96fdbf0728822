/**
 * What one fan-out tier hands the next over Workers RPC (`LumenizeFanoutWorker.__lmzFanout`): the
 * work, built once at the originator, and the recipients of that branch. Validated on receipt.
 */
import type { LmzIntermediate } from '@lumenize/structured-clone';
import { validateWireCallContext } from '../call-context.ts';
import type { EnvelopeMetadata, NodeIdentity, NodeType, WireCallContext } from '../protocol.ts';

/** Version of the job shape. */
export const FANOUT_JOB_VERSION = 1;

/** One recipient of `svc.fanout.send`: a DO (with instance), a Worker (without), or a client via its gateway. */
export interface FanoutRecipient {
  bindingName: string;
  instanceName?: string;
}

/** A recipient as the tiers carry it; pub/sub deliveries add the subscriber's kind and subscription id. */
export interface FanoutTarget extends FanoutRecipient {
  kind?: NodeType;
  subscriptionId?: string;
}

/** `svc.fanout.send`: one mesh envelope (new chain at the sender), re-addressed per recipient. */
export interface CallWork {
  type: 'call';
  chain: LmzIntermediate;
  callContext: WireCallContext;
  caller: EnvelopeMetadata['caller'];
}

/** `lmz.publish` past `maxDirect` subscribers: a pub/sub delivery per subscription. */
export interface PublishWork {
  type: 'publish';
  topic: string;
  value: LmzIntermediate;
  publisher: NodeIdentity;
}

/** One branch of a fan-out. `levels` counts this node: 1 delivers directly. */
export interface FanoutJob {
  v: typeof FANOUT_JOB_VERSION;
  levels: number;
  binding: string;
  timeoutMs: number;
  work: CallWork | PublishWork;
  recipients: FanoutTarget[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isIntermediate(v: unknown): v is LmzIntermediate {
  return isObject(v) && 'root' in v && Array.isArray(v.objects);
}

/** Checks a received job (never trust a decoded value); throws a TypeError naming the problem. */
export function validateFanoutJob(value: unknown): asserts value is FanoutJob {
  const bad = (what: string): never => {
    throw new TypeError(`Invalid fan-out job: ${what}`);
  };
  if (!isObject(value)) bad('expected an object');
  const job = value as Record<string, unknown>;
  if (job.v !== FANOUT_JOB_VERSION) bad(`unsupported version ${String(job.v)}`);
  if (typeof job.levels !== 'number' || !Number.isInteger(job.levels) || job.levels < 1 || job.levels > 3) bad('levels must be 1, 2 or 3');
  if (typeof job.binding !== 'string' || job.binding === '') bad('binding must be a binding name');
  if (typeof job.timeoutMs !== 'number' || !(job.timeoutMs > 0)) bad('timeoutMs must be a positive number');
  if (!Array.isArray(job.recipients)) bad('recipients must be an array');
  (job.recipients as unknown[]).forEach((r, i) => {
    if (!isObject(r) || typeof r.bindingName !== 'string' || (r.instanceName !== undefined && typeof r.instanceName !== 'string')) {
      bad(`recipients[${i}] must be { bindingName, instanceName? }`);
    }
  });
  const work = job.work as Record<string, unknown> | undefined;
  if (!isObject(work)) bad('work must be an object');
  if (work!.type === 'call') {
    if (!isIntermediate(work!.chain)) bad('work.chain must be a serialized chain');
    validateWireCallContext(work!.callContext);
    if (!isObject(work!.caller)) bad('work.caller must be routing metadata');
  } else if (work!.type === 'publish') {
    if (typeof work!.topic !== 'string' || !isIntermediate(work!.value) || !isObject(work!.publisher)) bad('work must be { type: publish, topic, value, publisher }');
  } else {
    bad(`unknown work type ${String(work!.type)}`);
  }
}

/** The node a fan-out originates at, as `BINDING/instance` (for logs). */
export function originOf(job: FanoutJob): string {
  const o = job.work.type === 'call' ? job.work.callContext.callChain[0] : job.work.publisher;
  return o.instanceName === undefined ? o.bindingName : `${o.bindingName}/${o.instanceName}`;
}
