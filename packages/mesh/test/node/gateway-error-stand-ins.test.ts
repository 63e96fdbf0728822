/**
 * The gateway errors' stand-ins (src/gateway/error-shells.ts): a client bundle that never imports
 * CallOutcomeUnknownError, OutboxFullError or InvalidPeerResultError carries only stand-ins, and
 * such an error arriving from the gateway still revives with its name and every field. Once the
 * real class is loaded it replaces the stand-in. This file imports the real classes only at the
 * end (vitest isolates each test file's modules).
 */
import { postprocess, preprocess } from '@lumenize/structured-clone';
import { describe, expect, it } from 'vitest';
import '../../src/gateway/error-shells.ts';

/** The wire form of a CallOutcomeUnknownError as the gateway sends it (built here by hand, same fields). */
function sentOutcomeUnknown(): unknown {
  const e = new Error('The outcome of call 7 is unknown: the gateway restarted while the call was in flight');
  e.name = 'CallOutcomeUnknownError';
  Object.assign(e, { code: 'CALL_OUTCOME_UNKNOWN', callId: '7' });
  return preprocess(e);
}

describe('gateway error stand-ins', () => {
  it('revive a CallOutcomeUnknownError as an Error of that name with its code and callId, before the class is loaded', () => {
    const e = postprocess(sentOutcomeUnknown() as never) as Error & Record<string, unknown>;
    expect(e).toBeInstanceOf(Error);
    expect(e.constructor.name).toBe('CallOutcomeUnknownError');
    expect(e.name).toBe('CallOutcomeUnknownError');
    expect(e.message).toContain('The outcome of call 7 is unknown');
    expect({ code: e.code, callId: e.callId }).toEqual({ code: 'CALL_OUTCOME_UNKNOWN', callId: '7' });
  });

  it('give way to the real classes once they are loaded', async () => {
    const { CallOutcomeUnknownError, OutboxFullError } = await import('../../src/gateway/outbox-errors.ts');
    const { InvalidPeerResultError } = await import('../../src/gateway/invalid-peer-result-error.ts');
    expect(postprocess(sentOutcomeUnknown() as never)).toBeInstanceOf(CallOutcomeUnknownError);
    const real = [new CallOutcomeUnknownError('8'), new OutboxFullError('call 9', 'alice', 3, 300, 2, 200), new InvalidPeerResultError('broken answer')];
    for (const sent of real) {
      const back = postprocess(preprocess(sent));
      expect(back).toBeInstanceOf(sent.constructor);
      expect(back).toMatchObject({ name: sent.name, message: sent.message });
    }
    expect(postprocess(preprocess(real[1]))).toMatchObject({ code: 'OUTBOX_FULL', clientInstanceName: 'alice' });
  });
});
