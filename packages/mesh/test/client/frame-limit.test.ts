/**
 * A frame over the limit is an error of that call, not a lost connection (docs/mesh-clients.md
 * "Failure modes"): real clients against real gateways, through utils' Browser and WebSocket shim.
 */
import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it } from 'vitest';
import { FRAME_TOO_LARGE, FrameTooLargeError, MAX_FRAME_BYTES, type LumenizeClient } from '../../src/client/index.ts';
import { mesh } from '../../src/decorators.ts';
import { tab } from './helpers.ts';
import { TestClient, connected, makeClient, type MadeClient } from './test-client.ts';
import type { ClientCallOutcome, EchoDO } from './worker.ts';

const live: LumenizeClient[] = [];
afterEach(() => {
  for (const c of live.splice(0)) c.disconnect();
});

function track<C extends LumenizeClient>(made: MadeClient<C>): MadeClient<C> {
  live.push(made.client);
  return made;
}

class BigAnswers extends TestClient {
  @mesh
  big(size: number): string {
    return 'x'.repeat(size);
  }
}

/** Lets queued microtasks run (no I/O, no timers). */
async function microtasks(n = 10): Promise<void> {
  for (let i = 0; i < n; i++) await Promise.resolve();
}

describe('frame limit', () => {
  it('an oversize call rejects at once with FrameTooLargeError; the connection and the calls around it are untouched', async () => {
    const made = track(makeClient(TestClient, 'rita'));
    const { client } = made;
    await connected(client);
    const echo = () => client.ctn<EchoDO>();
    const doc = `big-${tab()}`;
    const before = client.lmz.callRaw('ECHO', doc, echo().echo('before'));
    let refused: unknown;
    client.lmz.callRaw('ECHO', doc, echo().echo('x'.repeat(MAX_FRAME_BYTES))).catch((e: unknown) => (refused = e));
    const after = client.lmz.callRaw('ECHO', doc, echo().echo('after'));
    await microtasks();
    expect(refused).toBeInstanceOf(FrameTooLargeError);
    const error = refused as FrameTooLargeError;
    expect(error.name).toBe('FrameTooLargeError');
    expect(error.code).toBe(FRAME_TOO_LARGE);
    expect(error.limit).toBe(MAX_FRAME_BYTES);
    expect(error.size).toBeGreaterThan(MAX_FRAME_BYTES);
    expect(error.message).toContain(`over the frame limit of ${MAX_FRAME_BYTES} bytes, so it was not sent`);
    expect(await before).toBe('before');
    expect(await after).toBe('after');
    expect(await client.lmz.callRaw('ECHO', doc, echo().echo('later'))).toBe('later');
    expect(made.sockets.sockets).toHaveLength(1);
    expect(made.states).toEqual(['connected']);
  });

  it("an oversize answer to a DO's call reaches the DO as FrameTooLargeError, and the client stays connected", async () => {
    const made = track(makeClient(BigAnswers, 'rudi'));
    await connected(made.client);
    const caller = env.ECHO.getByName(`big-answer-${tab()}`);
    const refused: ClientCallOutcome = await caller.callClient('LUMENIZE_CLIENT_GATEWAY', made.instanceName, 'big', [MAX_FRAME_BYTES]);
    expect(refused).toMatchObject({ ok: false, name: 'FrameTooLargeError' });
    expect(refused.message).toContain('the answer to this incoming call is');
    expect(await caller.callClient('LUMENIZE_CLIENT_GATEWAY', made.instanceName, 'big', [10])).toEqual({ ok: true, value: 'xxxxxxxxxx' });
    expect(made.sockets.sockets).toHaveLength(1);
    expect(made.states).toEqual(['connected']);
  });
});
