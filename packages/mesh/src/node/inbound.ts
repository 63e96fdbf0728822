/**
 * Callee side of a mesh call (spec §4.4), shared by LumenizeDO and LumenizeWorker:
 * protocol validation → identity learning → decode + validate → context → onBeforeCall → entry
 * point (@mesh + guard) → chain → `{ $result }` or `{ $error }`.
 */
import type { DebugLogger } from '@lumenize/debug';
import { receiveCallContext } from '../call-context.ts';
import { runWithCallContext } from '../context-store.ts';
import { decodeWork, encodeError, encodeResult, encodeResultText, validateCallEnvelope } from '../envelope.ts';
import { entryName } from '../handler-target.ts';
import { isAsyncFunction, runValidatedChain, SynchronousExecutionError } from '../ocan/execute.ts';
import { validateOperationChain } from '../ocan/validate.ts';
import type { OcanConfig, OperationChain } from '../ocan/types.ts';
import type { CallEnvelope, CallResult, EnvelopeMetadata, NodeType, ReceivedWork } from '../protocol.ts';

/** First keys an inbound chain may never start with (reading `svc.x` alone would build a plugin). */
const BLOCKED_FIRST_KEYS = new Set(['svc', 'ctx', 'env', 'lmz']);

/** The inbound policy: `@mesh` entry points only, and no chains rooted at framework members. */
export const INBOUND_EXECUTION: OcanConfig = {
  requireMeshDecorator: true,
  checkEntry(chain: OperationChain) {
    const first = chain[0];
    if (first?.type === 'get' && BLOCKED_FIRST_KEYS.has(String(first.key))) {
      throw new TypeError(`Access denied: inbound chains cannot start at '${String(first.key)}'`);
    }
  },
};

/** What the callee-side logic needs from its node. */
export interface CalleeHost {
  readonly nodeType: Exclude<NodeType, 'LumenizeClient'>;
  /** The node instance the chain runs against. */
  readonly target: { onBeforeCall(): void | Promise<void> };
  /** Learns (and persists, on DOs) identity from `metadata.callee`; throws on a mismatch. */
  learnIdentity(callee: EnvelopeMetadata['callee']): void;
  /** DO only. */
  transactionSync?<T>(fn: () => T): T;
  readonly log: { receive: DebugLogger };
}

/** A batch entry failed: names the index; the original error is the `cause`. */
function batchEntryError(index: number, cause: unknown): Error {
  const message = cause instanceof Error ? cause.message : String(cause);
  const error = new Error(`Batch entry ${index} failed: ${message}`, { cause });
  error.name = 'BatchEntryError';
  return error;
}

function syncBeforeCall(host: CalleeHost): void {
  if (isAsyncFunction(host.target.onBeforeCall)) throw new SynchronousExecutionError();
  const pending = host.target.onBeforeCall();
  if (pending && typeof (pending as Promise<void>).then === 'function') {
    (pending as Promise<void>).catch(() => {});
    throw new SynchronousExecutionError();
  }
}

function runWork(host: CalleeHost, work: ReceivedWork, transaction: boolean): unknown {
  if (work.batch) {
    return host.transactionSync!(() => {
      syncBeforeCall(host);
      return work.chains.map((chain, i) => {
        try {
          return runValidatedChain(chain, host.target, INBOUND_EXECUTION, true);
        } catch (e) {
          throw batchEntryError(i, e);
        }
      });
    });
  }
  if (transaction) {
    return host.transactionSync!(() => {
      syncBeforeCall(host);
      return runValidatedChain(work.chain, host.target, INBOUND_EXECUTION, true);
    });
  }
  return (async () => {
    await host.target.onBeforeCall();
    return runValidatedChain(work.chain, host.target, INBOUND_EXECUTION, false);
  })();
}

/**
 * Runs one inbound envelope. Protocol and identity problems throw synchronously (so the RPC rejects
 * without leaving a rejected promise behind); anything thrown while decoding, validating or running
 * the chain comes back as `{ $error }`, because Workers RPC drops custom error properties on throw.
 */
export function executeInbound(host: CalleeHost, envelope: unknown): Promise<CallResult> {
  const log = host.log.receive;
  try {
    validateCallEnvelope(envelope);
    host.learnIdentity(envelope.metadata.callee);
  } catch (e) {
    log.error('envelope rejected', { error: e });
    throw e;
  }
  return runInbound(host, envelope);
}

/** Most envelopes one `__executeBatch` may carry (the gateway sends at most one frame's calls). */
export const MAX_BATCH_ENVELOPES = 1_000;

/** Most parked answers one isolate keeps for their follow-up; past it the oldest are dropped. */
const MAX_PARKED = 10_000;

/** An answer that was not ready when the batch replied: fetch it with `__awaitParked(token)`. */
export interface ParkedResult {
  $parked: string;
}

/** Answers still running (or unclaimed) when their batch replied, by token. */
const parked = new Map<string, Promise<CallResult>>();

/** One macrotask: everything that finishes without outside I/O has settled by then. */
function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Runs several envelopes that arrived in one Workers RPC (`__executeBatch`): each is started in the
 * order given, exactly as separate `__executeOperation` calls delivered in that order would be, and
 * answered on its own, so one failing envelope (even a malformed one) fails only itself. The reply
 * holds every answer ready after one macrotask; a call still running then (it waits on I/O, or on
 * another call) is parked, and the caller fetches its answer with {@link claimParked}, so a slow call
 * never holds back the answers of the fast ones.
 */
export async function executeInboundBatch(host: CalleeHost, envelopes: unknown): Promise<Array<CallResult | ParkedResult>> {
  if (!Array.isArray(envelopes) || envelopes.length === 0 || envelopes.length > MAX_BATCH_ENVELOPES) {
    throw new TypeError(`Invalid envelope batch: expected 1 to ${MAX_BATCH_ENVELOPES} envelopes`);
  }
  const ready: Array<CallResult | undefined> = new Array(envelopes.length);
  const runs = envelopes.map((envelope: unknown, i) => {
    let run: Promise<CallResult>;
    try {
      run = executeInbound(host, envelope);
    } catch (e) {
      run = Promise.resolve(encodeError(e));
    }
    return run.then((r) => (ready[i] = r));
  });
  await nextMacrotask();
  return runs.map((run, i) => {
    const r = ready[i];
    if (r !== undefined) return r;
    const token = crypto.randomUUID();
    if (parked.size >= MAX_PARKED) parked.delete(parked.keys().next().value!);
    parked.set(token, run);
    return { $parked: token };
  });
}

/**
 * The answer of a parked batch entry (`__awaitParked`), exactly once; an unknown token (claimed
 * already, or this instance restarted) answers with an error saying the outcome is unknown.
 */
export function claimParked(token: unknown): Promise<CallResult> {
  const run = typeof token === 'string' ? parked.get(token) : undefined;
  if (!run) return Promise.resolve(encodeError(new Error('The outcome of this batched call is unknown: its callee no longer holds the answer (restarted?)')));
  parked.delete(token as string);
  return run;
}

/** Steps 3–6 of §4.4; never rejects. */
async function runInbound(host: CalleeHost, env: CallEnvelope): Promise<CallResult> {
  const log = host.log.receive;
  let work: ReceivedWork;
  let method: string;
  try {
    if (env.batch && host.nodeType !== 'LumenizeDO') throw new TypeError('Batches require a LumenizeDO callee');
    if (env.options?.transaction && host.nodeType !== 'LumenizeDO') throw new TypeError('transaction requires a LumenizeDO callee');
    work = decodeWork(env);
    if (work.batch) for (const chain of work.chains) validateOperationChain(chain, INBOUND_EXECUTION);
    else validateOperationChain(work.chain, INBOUND_EXECUTION);
    method = work.batch ? 'ctnBatch' : entryName(work.chain);
  } catch (e) {
    if (log.enabled) log.warn('inbound chain refused', { error: e });
    return encodeError(e);
  }
  // The envelope is this callee's own copy (Workers RPC deserialized it): frozen in place, not cloned.
  const context = receiveCallContext(env.callContext, true);
  if (log.enabled) log.debug('call received', { method, callChain: context.callChain });
  return runWithCallContext(context, async () => {
    try {
      const value = await runWork(host, work, env.options?.transaction === true);
      // `resultText` is the gateway's request (it splices the text into its frame); the public
      // `__executeOperation` signature keeps CallResult, and the gateway accepts both forms.
      return env.options?.resultText === true ? (encodeResultText(value, method) as unknown as CallResult) : encodeResult(value, method);
    } catch (e) {
      if (log.enabled) log.debug('call failed', { method, error: e });
      return encodeError(e);
    }
  });
}
