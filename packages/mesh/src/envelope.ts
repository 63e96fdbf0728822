/**
 * The Workers RPC envelope and its reply (spec §5.2): building, validating, and the codec for
 * chains, results and errors. Runtime-neutral, so the gateway's forwarding reuses it unchanged.
 */
import { postprocess, preprocess, TRANSFORM_SKIP, type LmzIntermediate } from '@lumenize/structured-clone';
import { getOperationChain, getRawOperationChain, isContinuation, isResultPlaceholder, plainWireChain } from './ocan/continuation.ts';
import { chainBudget, decodeOperationChain, encodeOperationChain, type ChainBudget } from './ocan/chain-codec.ts';
import { isNestedOperationMarker } from './ocan/marker.ts';
import type { OperationChain } from './ocan/types.ts';
import { validateWireCallContext } from './call-context.ts';
import { CHAIN_PLAIN, decodeCompactChain, encodeCompactChain, isCompactChainShape, plainCompactOps, type CompactChain } from './wire/chain.ts';
import { isPlainTree } from './wire/plain.ts';
import { encodePayload } from './wire/payload.ts';
import { ENVELOPE_VERSION, type CallEnvelope, type CallResult, type EnvelopeMetadata, type NodeType, type ReceivedWork, type TextCallResult, type WireCallContext } from './protocol.ts';

/**
 * The transform hook for outgoing chains. Nested continuations already left the arguments for the
 * chain's `nested` lists (see ocan/chain-codec.ts); one still met here sits where it cannot run (inside
 * a Map, Set or class instance) and is refused, as is any other function, a symbol or a `$result`
 * placeholder, so a bad argument fails at `call()` and nothing is sent.
 */
function chainTransform(value: unknown): unknown {
  if (typeof value === 'function') {
    if (isContinuation(value)) {
      throw new TypeError('A continuation can be a call argument, or sit inside arrays and plain objects of one; not inside a Map, Set or class instance');
    }
    throw new TypeError(`Cannot send a function ('${value.name || 'anonymous'}') in a mesh call; pass data, or a continuation made with this.ctn()`);
  }
  if (typeof value === 'symbol') throw new TypeError(`Cannot send a symbol (${String(value)}) in a mesh call`);
  if (isResultPlaceholder(value)) {
    throw new TypeError('The $result placeholder is only valid in a handler continuation, not in the remote continuation');
  }
  if (isNestedOperationMarker(value)) {
    throw new TypeError('A nested continuation can be a call argument, or sit inside arrays and plain objects of one; not inside a Map, Set or class instance');
  }
  return TRANSFORM_SKIP;
}

/** The in-memory chain of a continuation, or a chain passed as it is (`callRaw` with a plain chain). */
function chainOf(remote: unknown): OperationChain {
  return getOperationChain(remote) ?? (remote as OperationChain);
}

/** Serializes a continuation's chain (or an already plain chain) for the wire. */
export function serializeChain(remote: unknown): LmzIntermediate {
  return preprocess(encodeOperationChain(chainOf(remote)), { transform: chainTransform });
}

/** A value the chain transform refuses (so the compact fast path leaves it to structured-clone). */
function needsChecks(value: object): boolean {
  return isResultPlaceholder(value) || isNestedOperationMarker(value);
}

const cloneChainPart = (value: unknown): LmzIntermediate => preprocess(value, { transform: chainTransform });

/**
 * Serializes a continuation's chain (or a `ctnBatch` list) for the compact wire (wire/chain.ts):
 * operations as JSON, arguments inline when they are plain JSON, else in one structured-clone table.
 * @example JSON.stringify(serializeCompactChain(this.ctn().increment())) // '[0,[["increment",[]]]]'
 */
export function serializeCompactChain(remote: unknown, batch?: readonly OperationChain[]): CompactChain {
  const plain = batch ? undefined : plainCompactChain(remote);
  if (plain) return plain;
  const wire = batch ? batch.map((chain) => encodeOperationChain(chain)) : (plainWireChain(remote) ?? encodeOperationChain(chainOf(remote)));
  return encodeCompactChain(wire, batch !== undefined, cloneChainPart, needsChecks);
}

/**
 * The usual call in one walk: a continuation whose argument lists, all together, are a plain tree
 * (no function, so no continuation; no marker, placeholder, alias or rich value) is `[0, ops]` at
 * once, exactly what the general path below gives for it; anything else is `undefined`.
 */
function plainCompactChain(remote: unknown): CompactChain | undefined {
  const raw = getRawOperationChain(remote);
  if (!raw) return undefined;
  const lists: unknown[][] = [];
  for (const op of raw) if (op.type === 'apply') lists.push(op.args);
  return isPlainTree(lists, needsChecks) ? [CHAIN_PLAIN, plainCompactOps(raw)] : undefined;
}

/** Serializes a list of continuations (a `ctnBatch`). */
export function serializeBatch(chains: readonly OperationChain[]): LmzIntermediate {
  return preprocess(
    chains.map((chain) => encodeOperationChain(chain)),
    { transform: chainTransform },
  );
}

/**
 * Decodes a serialized chain (an envelope's, or an `incoming_call` frame's) into an in-memory chain:
 * arguments are data whatever their shape; only the chain's own `nested` lists make markers.
 */
export function deserializeChain(data: LmzIntermediate, budget: ChainBudget = chainBudget()): OperationChain {
  return decodeOperationChain(postprocess(data), budget);
}

/**
 * Decodes an intermediate: `postprocess` on servers; clients pass `postprocessLoaded`, so their
 * bundle carries RequestSync/ResponseSync only when the application imports them (client/decode.ts).
 */
export type Decode = (data: LmzIntermediate) => unknown;

/** {@link deserializeChain} with the decoder given. */
export function deserializeChainWith(decode: Decode, data: LmzIntermediate, budget: ChainBudget = chainBudget()): OperationChain {
  return decodeOperationChain(decode(data), budget);
}

/** Inputs of {@link buildCallEnvelope}. */
export interface EnvelopeParts {
  /** The serialized chain, or its JSON text (the gateway forwards a client's text unparsed). */
  chain: LmzIntermediate | CompactChain | string;
  batch?: boolean;
  callContext: WireCallContext;
  caller: { type: NodeType; bindingName?: string; instanceNameOrId?: string };
  callee: { bindingName: string; instanceNameOrId?: string };
  transaction?: boolean;
  /** Ask the callee for `$result` as JSON text (the gateway splices it into its frame). */
  resultText?: boolean;
}

/**
 * Builds the envelope for `__executeOperation`. The callee type is inferred (DO when an instance is
 * given, Worker otherwise) and informational only.
 * @example stub.__executeOperation(buildCallEnvelope({ chain, callContext, caller, callee }))
 */
export function buildCallEnvelope(parts: EnvelopeParts): CallEnvelope {
  const { bindingName, instanceNameOrId } = parts.callee;
  const metadata: EnvelopeMetadata = {
    caller: parts.caller,
    callee: instanceNameOrId === undefined ? { type: 'LumenizeWorker', bindingName } : { type: 'LumenizeDO', bindingName, instanceNameOrId },
  };
  // A text chain travels as one string; validateCallEnvelope parses it in the callee.
  const envelope: CallEnvelope = { version: ENVELOPE_VERSION, chain: parts.chain as LmzIntermediate, callContext: parts.callContext, metadata };
  if (parts.batch) envelope.batch = true;
  if (parts.transaction || parts.resultText) {
    const options: NonNullable<CallEnvelope['options']> = {};
    if (parts.transaction) options.transaction = true;
    if (parts.resultText) options.resultText = true;
    envelope.options = options;
  }
  return envelope;
}

function isIntermediate(value: unknown): value is LmzIntermediate {
  return typeof value === 'object' && value !== null && 'root' in value && Array.isArray((value as { objects?: unknown }).objects);
}

/**
 * Protocol validation of a received envelope (never trust a decoded value): version exactly 1,
 * callContext present and well-formed, chain and metadata shaped right. Throws. A chain that
 * arrives as JSON text (forwarded by the gateway) is parsed here, in the receiver's own copy.
 */
export function validateCallEnvelope(value: unknown): asserts value is CallEnvelope {
  const env = (typeof value === 'object' && value !== null ? value : {}) as Partial<Record<keyof CallEnvelope, unknown>>;
  if (env.version !== ENVELOPE_VERSION) throw new TypeError(`Unsupported RPC envelope version: ${String(env.version)}`);
  if (env.callContext === undefined || env.callContext === null) throw new TypeError('Missing callContext in envelope');
  validateWireCallContext(env.callContext);
  if (typeof env.chain === 'string') env.chain = parseChainText(env.chain);
  if (!isIntermediate(env.chain) && !isCompactChainShape(env.chain)) throw new TypeError('Invalid envelope: chain must be a serialized operation chain');
  const meta = env.metadata as Partial<EnvelopeMetadata> | undefined;
  const callee = meta?.callee as Partial<EnvelopeMetadata['callee']> | undefined;
  if (typeof callee !== 'object' || callee === null || typeof callee.bindingName !== 'string' || (callee.instanceNameOrId !== undefined && typeof callee.instanceNameOrId !== 'string')) {
    throw new TypeError('Invalid envelope: metadata.callee must be { type, bindingName, instanceNameOrId? }');
  }
  if (env.batch !== undefined && typeof env.batch !== 'boolean') throw new TypeError('Invalid envelope: batch must be a boolean');
  if (env.options !== undefined) {
    const o = env.options as { transaction?: unknown; resultText?: unknown } | null;
    if (
      typeof o !== 'object' ||
      o === null ||
      (o.transaction !== undefined && typeof o.transaction !== 'boolean') ||
      (o.resultText !== undefined && typeof o.resultText !== 'boolean')
    ) {
      throw new TypeError('Invalid envelope: options must be { transaction?: boolean, resultText?: boolean }');
    }
  }
}

function parseChainText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Decodes the chain (or batch) of a validated envelope; shape checks happen in OCAN validation. */
export function decodeWork(envelope: CallEnvelope): ReceivedWork {
  // A compact chain (a client's, forwarded by its gateway) or a version-1 intermediate.
  const decoded: unknown = isCompactChainShape(envelope.chain) ? decodeCompactChain(envelope.chain, envelope.batch === true, postprocess) : postprocess(envelope.chain);
  // One budget for the whole envelope: a batch cannot multiply the per-chain limits.
  const budget = chainBudget();
  if (!envelope.batch) return { batch: false, chain: decodeOperationChain(decoded, budget) };
  if (!Array.isArray(decoded) || decoded.length === 0) throw new TypeError('Invalid batch: expected a non-empty list of operation chains');
  return { batch: true, chains: decoded.map((chain) => decodeOperationChain(chain, budget)) };
}

/** A thrown value as an Error (`throw 'text'` becomes `new Error('text')`). */
export function toError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}

/** `{ $result }` for a value; a value that cannot be serialized fails naming the method. */
export function encodeResult(value: unknown, methodName: string): CallResult {
  try {
    return { $result: preprocess(value) };
  } catch (e) {
    throw new TypeError(`The result of '${methodName}' could not be serialized: ${toError(e).message}`);
  }
}

/**
 * Like {@link encodeResult}, with `$result` as the JSON text of a compact-wire payload (envelopes
 * with `options.resultText`, sent only by the gateway): `[0,json]` for a plain JSON tree, else
 * `[1,intermediate]`. The gateway splices it into its frame (or rewrites it for a version-1 client).
 */
export function encodeResultText(value: unknown, methodName: string): TextCallResult {
  try {
    return { $result: JSON.stringify(encodePayload(value, preprocess)) };
  } catch (e) {
    throw new TypeError(`The result of '${methodName}' could not be serialized: ${toError(e).message}`);
  }
}

/** `{ $error }` for anything thrown (non-Errors wrapped); never throws. */
export function encodeError(thrown: unknown): CallResult {
  const error = toError(thrown);
  try {
    return { $error: preprocess(error) };
  } catch {
    // An error whose own properties defeat serialization still reports name and message.
    const plain = new Error(error.message);
    plain.name = error.name;
    return { $error: preprocess(plain) };
  }
}

/** Serializes an arbitrary value (used for the wire form of results and client messages). */
export function serializeValue(value: unknown): LmzIntermediate {
  return preprocess(value);
}

/** Deserializes an intermediate produced by the codec. */
export function deserializeValue(data: LmzIntermediate): unknown {
  return postprocess(data);
}

/**
 * Unwraps a reply: the value of `{ $result }`, or throws the reconstructed error of `{ $error }`.
 * @example const value = decodeCallResult(await stub.__executeOperation(envelope));
 */
export function decodeCallResult(result: unknown): unknown {
  return decodeCallResultWith(postprocess, result);
}

/** {@link decodeCallResult} with the decoder given. */
export function decodeCallResultWith(decode: Decode, result: unknown): unknown {
  const r = result as Partial<CallResult> | null;
  if (typeof r !== 'object' || r === null) throw new TypeError('Invalid call result: expected { $result } or { $error }');
  if (r.$error !== undefined) {
    if (!isIntermediate(r.$error)) throw new TypeError('Invalid call result: $error is not serialized data');
    throw toError(decode(r.$error));
  }
  if (!isIntermediate(r.$result)) throw new TypeError('Invalid call result: expected { $result } or { $error }');
  return decode(r.$result);
}
