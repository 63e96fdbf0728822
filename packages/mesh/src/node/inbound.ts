/**
 * Callee side of a mesh call (spec §4.4), shared by LumenizeDO and LumenizeWorker:
 * protocol validation → identity learning → decode + validate → context → onBeforeCall → entry
 * point (@mesh + guard) → chain → `{ $result }` or `{ $error }`.
 */
import type { DebugLogger } from '@lumenize/debug';
import { receiveCallContext } from '../call-context.ts';
import { answerBatch, type ParkedResult } from './batch-answers.ts';
import { runWithCallContext } from '../context-store.ts';
import { decodeWork, encodeError, encodeResult, encodeResultText, validateCallEnvelope } from '../envelope.ts';
import { entryName } from '../handler-target.ts';
import { isAsyncFunction, runValidatedChain, runValidatedChainEager, SynchronousExecutionError } from '../ocan/execute.ts';
import { validateOperationChain } from '../ocan/validate.ts';
import { decodePlainChain } from '../wire/plain-chain.ts';
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
  // The default (and any synchronous) onBeforeCall costs no extra promise turn, and a chain that
  // never waits answers without one (runValidatedChainEager).
  const before = host.target.onBeforeCall();
  if (before && typeof (before as Promise<void>).then === 'function') {
    return (before as Promise<void>).then(() => runValidatedChainEager(work.chain, host.target, INBOUND_EXECUTION));
  }
  return runValidatedChainEager(work.chain, host.target, INBOUND_EXECUTION);
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

/** Runs several envelopes that arrived in one Workers RPC (`__executeBatch`), each on its own (batch-answers.ts). */
export function executeInboundBatch(host: CalleeHost, envelopes: unknown): Promise<Array<CallResult | ParkedResult>> {
  return answerBatch(envelopes, (envelope) => executeInbound(host, envelope));
}

/** Steps 3–6 of §4.4; never rejects. Not `async`: a synchronous answer costs one resolved promise. */
function runInbound(host: CalleeHost, env: CallEnvelope): Promise<CallResult> {
  try {
    return answer(host, env);
  } catch (e) {
    // What an `async` function would do with an unexpected throw (none is known to reach here).
    return Promise.reject(e);
  }
}

/** {@link runInbound}'s body: decode and validate (a failure is the answer), then run in the call's context. */
function answer(host: CalleeHost, env: CallEnvelope): Promise<CallResult> {
  const log = host.log.receive;
  let work: ReceivedWork;
  let method: string;
  try {
    if (env.batch && host.nodeType !== 'LumenizeDO') throw new TypeError('Batches require a LumenizeDO callee');
    if (env.options?.transaction && host.nodeType !== 'LumenizeDO') throw new TypeError('transaction requires a LumenizeDO callee');
    // The usual chain (compact, plain, no nested continuation) is decoded and checked in one pass.
    const plain = env.batch ? undefined : decodePlainChain(env.chain, INBOUND_EXECUTION);
    if (plain !== undefined) work = { batch: false, chain: plain };
    else {
      work = decodeWork(env);
      if (work.batch) for (const chain of work.chains) validateOperationChain(chain, INBOUND_EXECUTION);
      else validateOperationChain(work.chain, INBOUND_EXECUTION);
    }
    method = work.batch ? 'ctnBatch' : entryName(work.chain);
  } catch (e) {
    if (log.enabled) log.warn('inbound chain refused', { error: e });
    return Promise.resolve(encodeError(e));
  }
  // The envelope is this callee's own copy (Workers RPC deserialized it): frozen in place, not cloned.
  const context = receiveCallContext(env.callContext, true);
  if (log.enabled) log.debug('call received', { method, callChain: context.callChain });
  const text = env.options?.resultText === true;
  // No async closure per call: one `then` on the chain's promise (or none for a synchronous result).
  return runWithCallContext(context, () => {
    let outcome: unknown;
    try {
      outcome = runWork(host, work, env.options?.transaction === true);
    } catch (e) {
      return Promise.resolve(failed(log, method, e));
    }
    if (isThenable(outcome)) return Promise.resolve(outcome).then((value) => encodeReply(log, value, method, text), (e: unknown) => failed(log, method, e));
    return Promise.resolve(encodeReply(log, outcome, method, text));
  });
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === 'object' || typeof v === 'function') && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

function failed(log: DebugLogger, method: string, e: unknown): CallResult {
  if (log.enabled) log.debug('call failed', { method, error: e });
  return encodeError(e);
}

/**
 * `{ $result }` for a settled value. `text` (`resultText`) is what nodes and the gateway ask for: the
 * gateway splices the text into its frame; the public `__executeOperation` signature keeps
 * CallResult, and the gateway accepts both forms.
 */
function encodeReply(log: DebugLogger, value: unknown, method: string, text: boolean): CallResult {
  try {
    return text ? (encodeResultText(value, method) as unknown as CallResult) : encodeResult(value, method);
  } catch (e) {
    return failed(log, method, e);
  }
}
