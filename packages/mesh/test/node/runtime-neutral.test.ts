/**
 * The OCAN core, decorators, envelope codec, call-context helpers and errors are runtime-neutral
 * (mesh.md §3.1, CONVENTIONS): they load and work in plain Node, with no `cloudflare:*` import.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { postprocess, preprocess } from '@lumenize/structured-clone';
import { executeOperationChain, getOperationChain, newContinuation } from '../../src/ocan/index.ts';
import { mesh, meshFn } from '../../src/decorators.ts';
import { buildCallEnvelope, decodeCallResult, encodeError, encodeResult, serializeChain, validateCallEnvelope } from '../../src/envelope.ts';
import { outgoingCallContext, receiveCallContext } from '../../src/call-context.ts';
import { ClientDisconnectedError, LoginRequiredError, RateLimitedError } from '../../src/errors.ts';
import { GatewayMessageType } from '../../src/protocol.ts';

const NEUTRAL = ['ocan', 'decorators.ts', 'envelope.ts', 'call-context.ts', 'errors.ts', 'protocol.ts', 'batch.ts', 'handler-target.ts', 'lmz-api.ts'];

function sources(path: string): string[] {
  const full = join(__dirname, '../../src', path);
  if (path.endsWith('.ts')) return [readFileSync(full, 'utf8')];
  return readdirSync(full).flatMap((f) => sources(join(path, f)));
}

describe('runtime-neutral modules', () => {
  it('import nothing from cloudflare:* or node:*', () => {
    for (const path of NEUTRAL) for (const text of sources(path)) expect(text).not.toMatch(/from ['"](cloudflare|node):/);
  });

  it('run an inbound-style chain with @mesh checks in Node', async () => {
    class Calc {
      @mesh add(a: number, b: number) {
        return a + b;
      }
      hidden() {
        return 'no';
      }
      tools = { twice: meshFn((n: number) => n * 2) };
    }
    const c = newContinuation<Calc>();
    expect(await executeOperationChain(getOperationChain(c.add(c.add(1, 2), 3))!, new Calc())).toBe(6);
    expect(await executeOperationChain(getOperationChain(c.tools.twice(4))!, new Calc())).toBe(8);
    await expect(executeOperationChain(getOperationChain(c.hidden())!, new Calc())).rejects.toThrow("Method 'hidden' is not mesh-callable");
  });

  it('calls a function-valued thenable read along a chain (a Workers RPC stub method) instead of awaiting it', async () => {
    // Like an RPC stub's method: callable, and thenable (awaiting it would fetch the property).
    const method = Object.assign((n: number) => n + 1, { then: () => { throw new Error('awaited instead of called'); } });
    const target = { stub: { inc: method }, value: Promise.resolve({ n: 41 }) };
    const t = newContinuation<{ stub: { inc(n: number): number }; value: { n: number } }>();
    expect(await executeOperationChain(getOperationChain(t.stub.inc(1))!, target, { requireMeshDecorator: false })).toBe(2);
    // A promise read along the chain is still awaited.
    expect(await executeOperationChain([{ type: 'get', key: 'value' }, { type: 'get', key: 'n' }], target, { requireMeshDecorator: false })).toBe(41);
  });

  it('build, validate and decode envelopes and results', () => {
    const callContext = outgoingCallContext(undefined, { type: 'LumenizeClient', bindingName: 'GW', instanceName: 'u.t' }, { state: { a: 1 } });
    const envelope = buildCallEnvelope({ chain: serializeChain(newContinuation<{ f(x: Date): void }>().f(new Date(0))), callContext, caller: { type: 'LumenizeClient' }, callee: { bindingName: 'X', instanceNameOrId: 'y' } });
    expect(() => validateCallEnvelope(envelope)).not.toThrow();
    expect(envelope.metadata.callee.type).toBe('LumenizeDO');
    const ctx = receiveCallContext(callContext);
    expect(ctx.origin).toBe(ctx.caller);
    expect(Object.isFrozen(ctx.callChain)).toBe(true);
    expect(decodeCallResult(encodeResult(new Map([[1, 2]]), 'm'))).toEqual(new Map([[1, 2]]));
    expect(() => decodeCallResult(encodeError('plain text'))).toThrow('plain text');
    expect(GatewayMessageType.INCOMING_CALL_RESPONSE).toBe('incoming_call_response');
  });

  it('mesh errors cross serialization as their own classes with their fields', () => {
    const roundTrip = <T>(v: T) => postprocess(preprocess(v)) as T;
    const gone = roundTrip(new ClientDisconnectedError('Client is not connected', 'alice.tab1'));
    expect(gone).toBeInstanceOf(ClientDisconnectedError);
    expect(gone.clientInstanceName).toBe('alice.tab1');
    const login = roundTrip(new LoginRequiredError('log in', 4403, 'invalid token'));
    expect(login).toBeInstanceOf(LoginRequiredError);
    expect([login.code, login.reason]).toEqual([4403, 'invalid token']);
    const limited = roundTrip(new RateLimitedError('slow down', 3));
    expect(limited).toBeInstanceOf(RateLimitedError);
    expect(limited.retryAfterSeconds).toBe(3);
  });
});
