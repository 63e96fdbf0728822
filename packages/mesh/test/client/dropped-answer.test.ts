/**
 * Bounded pub/sub and calls (security hardening, item 5): a client that is disconnected while it is
 * still answering an incoming call logs the dropped answer (with its callId) instead of losing it
 * silently.
 */
import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it } from 'vitest';
import { debug, type DebugLogOutput } from '@lumenize/debug';
import { mesh } from '../../src/decorators.ts';
import { until } from './helpers.ts';
import { TestClient, connected, makeClient } from './test-client.ts';

class SlowClient extends TestClient {
  entered = false;
  release: () => void = () => {};
  @mesh
  async slow(): Promise<string> {
    this.entered = true;
    await new Promise<void>((resolve) => (this.release = resolve));
    return 'late';
  }
}

afterEach(() => debug.reset());

describe('an answer the client can no longer send', () => {
  it('is logged at warn level with its callId when the client was disconnected meanwhile', async () => {
    const records: DebugLogOutput[] = [];
    debug.setOutput((r) => records.push(r));
    const made = makeClient(SlowClient, 'dora');
    await connected(made.client);
    const outcome: Promise<unknown> = Promise.resolve(env.ECHO.getByName('dropped-answer').callClient('LUMENIZE_CLIENT_GATEWAY', made.instanceName, 'slow', []));
    await until(() => made.client.entered, 'the incoming call to start');
    made.client.disconnect();
    // Nodes in this isolate reconfigure the filter from env.DEBUG when they wake: set it right before
    // the answer is produced (the release resolves within microtasks, before any gateway event).
    debug.configure({ DEBUG: 'lmz.mesh.LumenizeClient:warn' });
    made.client.release();
    await until(() => records.some((r) => r.message === 'answer to an incoming call dropped: the client was disconnected'), 'the warning');
    const warning = records.find((r) => r.message === 'answer to an incoming call dropped: the client was disconnected')!;
    expect(warning.level).toBe('warn');
    expect(typeof (warning.data as { callId?: unknown }).callId).toBe('string');
    // The DO's call fails with ClientDisconnectedError when the gateway's grace period ends (gateway tests).
    void outcome.then(() => {}, () => {});
  });
});
