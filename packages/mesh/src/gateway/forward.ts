/**
 * Client → mesh forwarding (mesh spec §4.11): the gateway rebuilds the call context from verified
 * connection data only (`callChain = [client]`, `originAuth` from the attachment, `state = {}`),
 * wraps the client's serialized chain in a fresh envelope and calls the target over Workers RPC.
 * Whatever the client put in its frame besides the chain and the address is never forwarded.
 */
import { buildCallEnvelope, encodeError } from '../envelope.ts';
import type { CallResult, NodeIdentity, OriginAuth, TextCallResult, WireCallContext } from '../protocol.ts';
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
    const originAuth: OriginAuth = { userId: attachment.userId };
    if (attachment.claims) originAuth.claims = attachment.claims;
    const callContext: WireCallContext = { callChain: [origin], originAuth, state: {} };
    const envelope = buildCallEnvelope({
      // The client's chain as it arrived (one string over RPC), else the parsed intermediate.
      chain: chainText ?? (frame.chain as Parameters<typeof buildCallEnvelope>[0]['chain']),
      batch: frame.batch === true,
      callContext,
      caller: { type: 'LumenizeClient', bindingName: origin.bindingName, instanceNameOrId: origin.instanceName },
      callee: frame.instance === undefined ? { bindingName: frame.binding } : { bindingName: frame.binding, instanceNameOrId: frame.instance },
      resultText: true,
    });
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
