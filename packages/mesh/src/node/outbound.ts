/**
 * Caller side of a mesh call (spec §4.3), shared by LumenizeDO and LumenizeWorker: validate,
 * capture context, serialize eagerly, send through the stub seam, unwrap, run the handler.
 */
import type { DebugLogger } from '@lumenize/debug';
import { getBatchChains } from '../batch.ts';
import { copyCallContext, outgoingCallContext, receiveCallContext } from '../call-context.ts';
import { currentCallContext, runWithCallContext } from '../context-store.ts';
import { buildCallEnvelope, serializeCompactChain, toError } from '../envelope.ts';
import { assertHandlerTarget, entryName } from '../handler-target.ts';
import { getOperationChain, getRawOperationChain, isContinuation } from '../ocan/continuation.ts';
import { executeOperationChain, executeOperationChainSync, replaceNestedOperationMarkers } from '../ocan/execute.ts';
import type { OperationChain } from '../ocan/types.ts';
import type { CallContext, CallEnvelope, CallOptions, NodeIdentity, NodeType } from '../protocol.ts';
import { checkMeshBinding } from '../stub.ts';
import type { CallBatcher } from './call-batcher.ts';

/** Local execution: handlers run without the `@mesh` requirement (the node authored them). */
export const LOCAL_EXECUTION = { requireMeshDecorator: false } as const;

/** Longest an `exclusive` call may hold `blockConcurrencyWhile` (LumenizeDO.exclusiveCapMs default). */
export const EXCLUSIVE_CAP_MS = 25_000;

/** What the caller-side logic needs from its node. */
export interface CallerHost {
  readonly nodeType: Exclude<NodeType, 'LumenizeClient'>;
  readonly env: object;
  /** The node instance; handlers run against it. */
  readonly target: object;
  /** This node's identity for call chains; throws when it does not know its binding name. */
  selfIdentity(): NodeIdentity;
  /** `metadata.caller` routing facts. */
  callerMetadata(): CallEnvelope['metadata']['caller'];
  /** DO only. */
  transactionSync?<T>(fn: () => T): T;
  /** DO only. */
  blockConcurrencyWhile?<T>(fn: () => Promise<T>): Promise<T>;
  /** DO only: the `exclusive` cap in ms, read at call time (a static the subclass may override). */
  exclusiveCapMs?(): number;
  /** Worker only: keeps the call alive after the entrypoint method returns. */
  waitUntil?(promise: Promise<unknown>): void;
  readonly log: { send: DebugLogger; handler: DebugLogger };
  /** Sends calls; those of one turn to one DO share a Workers RPC. */
  readonly batcher: CallBatcher;
}

interface PreparedCall {
  envelope: CallEnvelope;
  /** Length of the envelope's chain text (the batch budget). */
  chainChars: number;
  binding: string;
  instance: string | undefined;
  method: string;
}

/** The options of a call made without any (read only, shared). */
const NO_OPTIONS: CallOptions = Object.freeze({});

function checkOptions(host: CallerHost, options: unknown, hasHandler: boolean, raw: boolean): CallOptions {
  if (options === undefined) return NO_OPTIONS;
  if (typeof options !== 'object' || options === null) throw new TypeError('Invalid options: expected an object of CallOptions');
  const o = options as CallOptions;
  if (o.state !== undefined && (typeof o.state !== 'object' || o.state === null || Array.isArray(o.state))) {
    throw new TypeError('Invalid options.state: expected a plain object');
  }
  for (const flag of ['newChain', 'transaction', 'handlerTransaction', 'exclusive'] as const) {
    if (o[flag] !== undefined && typeof o[flag] !== 'boolean') throw new TypeError(`Invalid options.${flag}: expected a boolean`);
  }
  if ((o.handlerTransaction || o.exclusive) && host.nodeType !== 'LumenizeDO') {
    throw new TypeError(`${o.handlerTransaction ? 'handlerTransaction' : 'exclusive'} requires a LumenizeDO caller`);
  }
  if (raw && (o.handlerTransaction || o.exclusive)) {
    throw new TypeError('callRaw runs no handler: handlerTransaction and exclusive apply to call() only');
  }
  if (o.handlerTransaction && !hasHandler) throw new TypeError('handlerTransaction requires a handler continuation');
  return o;
}

/** Steps 1–4 of §4.3: everything that can fail synchronously, before anything is sent. */
function prepare(host: CallerHost, binding: string, instance: string | undefined, remote: unknown, handler: unknown, opts: unknown, raw: boolean) {
  const batchChains = getBatchChains(remote);
  const remoteIsChain = raw && Array.isArray(remote);
  if (!batchChains && !isContinuation(remote) && !remoteIsChain) {
    throw new TypeError('Invalid remoteContinuation: must be created with this.ctn()');
  }
  let handlerChain: OperationChain | undefined;
  if (handler !== undefined) {
    if (!isContinuation(handler)) throw new TypeError('Invalid handlerContinuation: must be created with this.ctn()');
    handlerChain = getOperationChain(handler)!;
    assertHandlerTarget(handlerChain, host.target, 'Invalid handlerContinuation: handler');
  }
  const options = checkOptions(host, opts, handlerChain !== undefined, raw);
  const self = host.selfIdentity();
  checkMeshBinding(host.env, binding, instance);
  const current = currentCallContext();
  // Only a handler needs the captured context (callRaw and handler-less calls never read it).
  const captured = current && handlerChain ? copyCallContext(current) : undefined;
  const callContext = outgoingCallContext(current, self, options);
  // The compact wire chain (wire/chain.ts), as JSON text: one string crosses Workers RPC instead of
  // an object graph, and its length is what call-batcher.ts budgets. Plain-JSON arguments skip
  // structured-clone (tag 0); anything else goes through it (tag 1 or 2). The callee parses and
  // validates it in validateCallEnvelope/decodeWork, as it does a gateway's forwarded chain.
  const chain = JSON.stringify(serializeCompactChain(remote, batchChains));
  const envelope = buildCallEnvelope({
    chain,
    batch: batchChains !== undefined,
    callContext,
    caller: host.callerMetadata(),
    callee: { bindingName: binding, instanceNameOrId: instance },
    transaction: options.transaction,
    // `$result` as JSON text: one string back over RPC (reply.ts decodes it).
    resultText: true,
  });
  const method = batchChains ? 'ctnBatch' : entryName(getRawOperationChain(remote) ?? (remote as OperationChain));
  const prepared: PreparedCall = { envelope, chainChars: chain.length, binding, instance, method };
  // Inside the handler: the context captured now, or (none current) the outgoing call's own context.
  // That one was built fresh just above (state copied, no originAuth): it is received as it is, not
  // cloned again; the handler only sees it after the envelope has been sent.
  const handlerContext: CallContext | undefined = handlerChain ? (captured ?? receiveCallContext(callContext)) : undefined;
  return { prepared, handlerChain, handlerContext, options };
}

/** Step 5–6: send (with the other calls of this turn to the same DO, call-batcher.ts), unwrap. */
function send(host: CallerHost, p: PreparedCall): Promise<unknown> {
  return host.batcher.send(p.binding, p.instance, p.envelope, p.chainChars);
}

function logSend(host: CallerHost, p: PreparedCall): void {
  if (host.log.send.enabled) {
    host.log.send.debug('call sent', { binding: p.binding, instance: p.instance, method: p.method, callChain: p.envelope.callContext.callChain });
  }
}

/**
 * `lmz.callRaw`: validation failures reject; resolves with the value or rejects with the remote error.
 * Not `async`: the batcher's promise is returned as it is, without a wrapper promise per call.
 */
export function callRaw(host: CallerHost, binding: string, instance: string | undefined, remote: unknown, options?: unknown): Promise<unknown> {
  try {
    const { prepared } = prepare(host, binding, instance, remote, undefined, options, true);
    logSend(host, prepared);
    return send(host, prepared);
  } catch (e) {
    return Promise.reject(e);
  }
}

/** Races `outcome` against the exclusive cap; a late result is logged and dropped. */
function capped(host: CallerHost, outcome: Promise<unknown>, p: PreparedCall, capMs: number): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      outcome.then(
        () => host.log.handler.warn('late result after exclusive timeout dropped', { binding: p.binding, instance: p.instance, method: p.method }),
        () => host.log.handler.warn('late error after exclusive timeout dropped', { binding: p.binding, instance: p.instance, method: p.method }),
      );
      reject(new Error(`Exclusive call to '${p.method}' timed out after ${capMs} ms; the block was released`));
    }, capMs);
  });
  return Promise.race([outcome, timeout]).finally(() => clearTimeout(timer));
}

/** What a `call()` needs once its outcome arrives (one object, no named closures per call). */
interface Delivery {
  host: CallerHost;
  prepared: PreparedCall;
  handlerChain: OperationChain | undefined;
  handlerContext: CallContext | undefined;
  opts: CallOptions;
  binding: string;
  instance: string | undefined;
}

/** Runs the handler (if any) with the outcome under the captured context; never rejects with a handler's error. */
async function deliver(d: Delivery, outcome: unknown): Promise<void> {
  const { host, prepared, handlerChain, opts, binding, instance } = d;
  if (!handlerChain) {
    if (outcome instanceof Error) host.log.send.warn('call failed (no handler)', { binding, instance, method: prepared.method, error: outcome });
    return;
  }
  const chain = replaceNestedOperationMarkers(handlerChain, outcome);
  try {
    await runWithCallContext(d.handlerContext!, () =>
      opts.handlerTransaction
        ? host.transactionSync!(() => executeOperationChainSync(chain, host.target, LOCAL_EXECUTION))
        : executeOperationChain(chain, host.target, LOCAL_EXECUTION),
    );
    if (host.log.handler.enabled) host.log.handler.debug('result handler ran', { handler: entryName(chain), method: prepared.method });
  } catch (e) {
    host.log.handler.error('result handler failed', { handler: entryName(chain), binding, instance, method: prepared.method, chain, error: e });
  }
}

/** The outcome of `p` delivered exactly once; a failure of the delivery itself is logged. */
function settled(d: Delivery, p: Promise<unknown>): Promise<void> {
  return p
    .then(
      (value) => deliver(d, value),
      (e: unknown) => deliver(d, toError(e)),
    )
    .catch((e: unknown) => d.host.log.handler.error('result delivery failed', { binding: d.binding, instance: d.instance, method: d.prepared.method, error: e }));
}

/**
 * `lmz.call`: throws synchronously on bad input; otherwise sends, and later runs the handler exactly
 * once with the captured context. Never leaves a promise floating and never throws afterwards.
 */
export function call(host: CallerHost, binding: string, instance: string | undefined, remote: unknown, handler?: unknown, options?: unknown): void {
  const { prepared, handlerChain, handlerContext, options: opts } = prepare(host, binding, instance, remote, handler, options, false);
  logSend(host, prepared);
  const d: Delivery = { host, prepared, handlerChain, handlerContext, opts, binding, instance };

  let completion: Promise<unknown>;
  if (opts.exclusive) {
    const capMs = host.exclusiveCapMs?.() ?? EXCLUSIVE_CAP_MS;
    completion = host.blockConcurrencyWhile!(() => settled(d, capped(host, send(host, prepared), prepared, capMs))).catch((e: unknown) =>
      host.log.handler.error('exclusive call failed', { binding, instance, method: prepared.method, error: e }),
    );
  } else {
    completion = settled(d, send(host, prepared));
  }
  host.waitUntil?.(completion);
}
