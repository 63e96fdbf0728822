/**
 * Client → mesh forwarding (mesh spec §4.11): the gateway rebuilds the call context from verified
 * connection data only (`callChain = [client]`, `originAuth` from the attachment, `state = {}`),
 * wraps the client's serialized chain in a fresh envelope and calls the target over Workers RPC.
 * Whatever the client put in its frame besides the chain and the address is never forwarded.
 */
import { buildCallEnvelope, encodeError } from '../envelope.ts';
import type { CallEnvelope, CallResult, NodeIdentity, OriginAuth, TextCallResult, WireCallContext } from '../protocol.ts';
import type { CallFrame } from '../client/frames.ts';
import type { GatewayAttachment } from './attachment.ts';
import { checkMeshBinding, getMeshStub } from '../stub.ts';

/**
 * Sends one client call into the mesh (`chainText`: the raw JSON of the frame's `chain`, forwarded
 * as is) and resolves with its CallResult; never rejects (transport
 * failures such as an unknown binding come back as `{ $error }` with a clear message). Mesh callees
 * answer with `$result` as JSON text (`options.resultText`), which the gateway splices into its
 * frame; a callee that ignores the option answers with the intermediate itself.
 * @example const result = await forwardClientCall(env, frame, origin, attachment);
 */
export async function forwardClientCall(
  env: Record<string, unknown>,
  frame: CallFrame,
  origin: NodeIdentity,
  attachment: GatewayAttachment,
  chainText?: string,
): Promise<CallResult | TextCallResult> {
  try {
    const envelope = clientEnvelope(frame, origin, attachment, chainText);
    checkMeshBinding(env, frame.binding, frame.instance);
    let reply: unknown;
    {
      using stub = getMeshStub(env, frame.binding, frame.instance);
      reply = await stub.__executeOperation(envelope);
    }
    if (typeof reply !== 'object' || reply === null || !('$result' in reply || '$error' in reply)) {
      throw new Error(`Binding '${frame.binding}' did not answer as a mesh node`);
    }
    return reply as CallResult | TextCallResult;
  } catch (error) {
    return encodeError(error);
  }
}

/** The envelope for one client call: a fresh context from verified data, the chain as it arrived. */
function clientEnvelope(frame: CallFrame, origin: NodeIdentity, attachment: GatewayAttachment, chainText: string | undefined): CallEnvelope {
  const originAuth: OriginAuth = { userId: attachment.userId };
  if (attachment.claims) originAuth.claims = attachment.claims;
  const callContext: WireCallContext = { callChain: [origin], originAuth, state: {} };
  return buildCallEnvelope({
    // The client's chain as it arrived (one string over RPC), else the parsed intermediate.
    chain: chainText ?? (frame.chain as Parameters<typeof buildCallEnvelope>[0]['chain']),
    batch: frame.batch === true,
    callContext,
    caller: { type: 'LumenizeClient', bindingName: origin.bindingName, instanceNameOrId: origin.instanceName },
    callee: frame.instance === undefined ? { bindingName: frame.binding } : { bindingName: frame.binding, instanceNameOrId: frame.instance },
    resultText: true,
  });
}

/** True for the Workers RPC error of a callee that has no such method (a non-mesh or older node). */
function isMissingMethod(error: unknown): boolean {
  return error instanceof Error && error.message.includes('__executeBatch') && /does not|not implement|no such method|not a function/i.test(error.message);
}

function isCallResult(v: unknown): v is CallResult | TextCallResult {
  return typeof v === 'object' && v !== null && ('$result' in v || '$error' in v);
}

/** Bindings whose callees lack `__executeBatch` (not LumenizeDOs): their calls go one RPC each. */
const unbatched = new Set<string>();

function isParked(v: unknown): v is { $parked: string } {
  return typeof v === 'object' && v !== null && typeof (v as { $parked?: unknown }).$parked === 'string';
}

/**
 * Sends several client calls for one Durable Object (same binding and instance) in one Workers
 * RPC, `__executeBatch`; the callee starts them in order and answers each one, so one failing call
 * fails only itself. An answer the callee parked (the call was still running) is fetched with its
 * own `__awaitParked` RPC, so a slow call never holds back the others. Returns one promise per call,
 * in order; none rejects. A callee without `__executeBatch` gets the calls one RPC each.
 * @example for (const [i, p] of forwardClientBatch(env, frames, texts, origin, attachment).entries()) p.then(...)
 */
export function forwardClientBatch(
  env: Record<string, unknown>,
  frames: CallFrame[],
  chainTexts: Array<string | undefined>,
  origin: NodeIdentity,
  attachment: GatewayAttachment,
): Array<Promise<CallResult | TextCallResult>> {
  const { binding, instance } = frames[0]!;
  if (unbatched.has(binding)) return frames.map((frame, i) => forwardClientCall(env, frame, origin, attachment, chainTexts[i]));
  const all = (async (): Promise<Array<CallResult | TextCallResult | Promise<CallResult | TextCallResult>>> => {
    let envelopes: CallEnvelope[];
    try {
      checkMeshBinding(env, binding, instance);
      envelopes = frames.map((frame, i) => clientEnvelope(frame, origin, attachment, chainTexts[i]));
    } catch (error) {
      const failed = encodeError(error);
      return frames.map(() => failed);
    }
    let reply: unknown;
    try {
      using stub = getMeshStub(env, binding, instance);
      reply = await stub.__executeBatch(envelopes);
    } catch (error) {
      if (isMissingMethod(error)) {
        unbatched.add(binding);
        return frames.map((frame, i) => forwardClientCall(env, frame, origin, attachment, chainTexts[i]));
      }
      const failed = encodeError(error);
      return frames.map(() => failed);
    }
    if (!Array.isArray(reply) || reply.length !== frames.length) {
      const failed = encodeError(new Error(`Binding '${binding}' did not answer a batch as a mesh node`));
      return frames.map(() => failed);
    }
    return reply.map((r: unknown) => {
      if (isParked(r)) return awaitParked(env, binding, instance!, r.$parked);
      return isCallResult(r) ? r : encodeError(new Error(`Binding '${binding}' did not answer as a mesh node`));
    });
  })();
  return frames.map((_, i) => all.then((list) => list[i]!));
}

async function awaitParked(env: Record<string, unknown>, binding: string, instance: string, token: string): Promise<CallResult | TextCallResult> {
  try {
    using stub = getMeshStub(env, binding, instance);
    const r: unknown = await stub.__awaitParked(token);
    return isCallResult(r) ? r : encodeError(new Error(`Binding '${binding}' did not answer as a mesh node`));
  } catch (error) {
    return encodeError(error);
  }
}
