/**
 * What the client's wire log (`lmz.mesh.LumenizeClient.wire`) records per frame: the frame's text
 * as it is by default, the decoded frame once `@lumenize/mesh/client/wire-log` is loaded.
 */
import { describe, expect, it } from 'vitest';
import { wireLogData } from '../../src/client/wire-describer.ts';

const FRAME = '{"t":"r","i":7,"j":3}';

describe('the client wire log', () => {
  it('records the text as it is until the wire-log import, then the decoded frame', async () => {
    expect(wireLogData(FRAME)).toEqual({ text: FRAME });
    await import('../../src/client/wire-log.ts');
    expect(wireLogData(FRAME)).toEqual({ type: 'call_response', callId: '7', result: 3 });
    expect(wireLogData('{"t":"a","a":2}')).toEqual({ type: 'ack', ack: 2 });
  });
});
