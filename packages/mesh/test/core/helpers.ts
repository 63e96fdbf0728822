/** Test helpers: send envelopes as a trusted caller would, and wait for async effects. */
import { env } from 'cloudflare:test';
import { buildCallEnvelope, decodeCallResult, serializeChain } from '../../src/envelope.ts';
import { getMeshStub } from '../../src/stub.ts';
import type { CallEnvelope, NodeIdentity, OriginAuth } from '../../src/protocol.ts';
import './logs.ts';

/** The identity tests use as the origin of calls they send. */
export const TEST_ORIGIN: NodeIdentity = { type: 'LumenizeWorker', bindingName: 'TEST_RUNNER' };

export interface EnvelopeOptions {
  callChain?: NodeIdentity[];
  originAuth?: OriginAuth;
  state?: Record<string, unknown>;
  transaction?: boolean;
}

/** An envelope as a trusted caller (test code holding the binding) builds it. */
export function envelopeFor(binding: string, instance: string | undefined, remote: unknown, opts: EnvelopeOptions = {}): CallEnvelope {
  return buildCallEnvelope({
    chain: serializeChain(remote),
    callContext: { callChain: opts.callChain ?? [TEST_ORIGIN], state: opts.state ?? {}, ...(opts.originAuth ? { originAuth: opts.originAuth } : {}) },
    caller: { type: 'LumenizeWorker', bindingName: 'TEST_RUNNER' },
    callee: { bindingName: binding, instanceNameOrId: instance },
    transaction: opts.transaction,
  });
}

/** Sends `remote` to (binding, instance) through the mesh seam and unwraps the result. */
export async function meshCall(binding: string, instance: string | undefined, remote: unknown, opts?: EnvelopeOptions): Promise<unknown> {
  using stub = getMeshStub(env, binding, instance);
  return decodeCallResult(await stub.__executeOperation(envelopeFor(binding, instance, remote, opts)));
}

/** Polls `probe` until it returns something other than undefined (fails after ~5 s). */
export async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, what = 'condition'): Promise<T> {
  for (let i = 0; i < 250; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`Timed out waiting for ${what}`);
}


/**
 * A plain promise for an RPC call's outcome. `expect(stubCall).rejects` reads properties of the
 * RPC promise (each a pipelined call that rejects unobserved); a plain promise avoids that.
 */
export function rpc<T>(call: Promise<T>): Promise<T> {
  return call.then((v) => v);
}
