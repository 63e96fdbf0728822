/**
 * Gap-free resume (issue 6, "go beyond"): sequence numbers and acks in both directions. The client's
 * socket is dropped at 100 seeded random points during a stream of 1,000 client → DO calls and
 * 1,000 DO → client calls; every call completes exactly once, in order per direction. A second test
 * shows that calls still waiting when the grace period expires fail with ClientDisconnectedError
 * instead of vanishing. Resume across gateway hibernation lives on the fault harness:
 * packages/testing/test/workerd/resume-harness.test.ts (hibernate() instead of a hand-rolled evict).
 */
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { afterEach, describe, expect, it } from 'vitest';
import type { LumenizeClient } from '../../src/client/index.ts';
import { openRaw, tab, until } from './helpers.ts';
import { serializeChain } from '../../src/envelope.ts';
import { newContinuation } from '../../src/ocan/continuation.ts';
import { TestClient, connected, dropAndReconnect, installWindowStub, makeClient, type MadeClient } from './test-client.ts';
import type { StreamDO } from './worker.ts';
import { seededRandom } from '../../../../tools/seeded-random.ts';

const live: LumenizeClient[] = [];
afterEach(() => {
  for (const c of live.splice(0)) c.disconnect();
});

/** Client → DO: `count` calls `record(n)` with up to `window` in flight; resolves with the answers in call order. */
async function outbound(client: TestClient, stream: string, from: number, count: number, window: number, done: { n: number }): Promise<number[]> {
  const answers: number[] = new Array(count);
  let next = from;
  const worker = async () => {
    while (next < from + count) {
      const n = next++;
      answers[n - from] = (await client.lmz.callRaw('STREAM', stream, client.ctn<StreamDO>().record(n))) as number;
      done.n++;
    }
  };
  await Promise.all(Array.from({ length: window }, worker));
  return answers;
}

async function runStream(made: MadeClient<TestClient>, win: EventTarget, stream: string, from: number, count: number, drops: number, seed: number) {
  const random = seededRandom(seed);
  const total = count * 2;
  const points = Array.from({ length: drops }, () => Math.floor(random() * total)).sort((a, b) => a - b);
  const done = { n: 0 };
  const progress = () => done.n + made.client.received.filter((n) => n >= from).length;
  let stop = false;
  const dropper = (async () => {
    let dropped = 0;
    for (const point of points) {
      while (!stop && progress() < point) await new Promise((r) => setTimeout(r, 1));
      if (stop) break;
      await dropAndReconnect(made as MadeClient<LumenizeClient>, win);
      dropped++;
    }
    return dropped;
  })();
  const [answers, inbound] = await Promise.all([
    outbound(made.client, stream, from, count, 16, done),
    env.STREAM.getByName(stream).streamTo('LUMENIZE_CLIENT_GATEWAY', made.instanceName, from, count),
  ]);
  stop = true;
  return { answers, inbound, dropped: await dropper };
}


/** Rows in a gateway's durable outbox (frames waiting for the client's acknowledgement). */
function outboxRows(gateway: DurableObjectStub): Promise<number> {
  return runInDurableObject(gateway, (_i, state) => Number(state.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM __lmz_gateway_outbox').one().n));
}

describe('gap-free resume', () => {
  it('drops the socket at 100 seeded random points during 1,000 calls each way: every call completes exactly once, in order', async () => {
    const win = installWindowStub();
    const made = makeClient(TestClient, 'rita', { callTimeoutMs: 60_000 });
    live.push(made.client);
    await connected(made.client);
    const stream = `resume-${tab()}`;
    const { answers, inbound, dropped } = await runStream(made, win, stream, 0, 1_000, 100, 20_261_127);
    const expected = Array.from({ length: 1_000 }, (_, i) => i);
    expect(dropped).toBe(100);
    expect(made.sockets.sockets.length).toBe(101);
    // Client → DO: each call answered with its own value, and the DO ran each exactly once, in order.
    expect(answers).toEqual(expected);
    expect(await env.STREAM.getByName(stream).received()).toEqual(expected);
    // DO → client: every call succeeded, and the client ran each exactly once, in order.
    expect(inbound.filter((r) => !r.ok)).toEqual([]);
    expect(made.client.received).toEqual(expected);
  }, 120_000);

  it('calls still waiting when the grace period expires fail with ClientDisconnectedError, never silently', async () => {
    const made = makeClient(TestClient, 'tess', { callTimeoutMs: 60_000 });
    live.push(made.client);
    await connected(made.client);
    const gateway = env.LUMENIZE_CLIENT_GATEWAY.getByName(made.instanceName);
    // Go away without telling anyone (the client will not retry: no window, 1 s backoff).
    made.sockets.drop();
    await until(() => made.client.connectionState === 'reconnecting', 'reconnecting');
    const before = await outboxRows(gateway);
    const pending = env.STREAM.getByName(`grace-${tab()}`).streamTo('LUMENIZE_CLIENT_GATEWAY', made.instanceName, 0, 1);
    // The call parks in the gateway's outbox (no socket to send it on) before the grace alarm runs.
    await until(async () => (await outboxRows(gateway)) > before, 'the incoming call stored in the outbox');
    expect(await runDurableObjectAlarm(gateway)).toBe(true);
    expect(await pending).toEqual([{ n: 0, ok: false, error: 'Client did not reconnect within grace period' }]);
    // The client comes back to a new session: nothing replays the failed call. A replay would be sent
    // on connect, before any newer call, so a fresh call arriving alone proves there was none.
    await connected(made.client);
    expect(await env.STREAM.getByName(`after-${tab()}`).streamTo('LUMENIZE_CLIENT_GATEWAY', made.instanceName, 7, 1)).toEqual([{ n: 7, ok: true }]);
    expect(made.client.received).toEqual([7]);
    expect(made.client.lostCount).toBe(1);
  }, 20_000);

  it('protocol rules at the gateway: duplicates are not re-run, a sequence gap closes 1002, a client that never acks is closed 1008', async () => {
    const record = (n: number) => serializeChain(newContinuation<StreamDO>().record(n));
    const stream = `proto-${tab()}`;
    const name = `pete.${tab()}`;
    const sock = await openRaw(name, { binding: 'SHORT_GATEWAY', protocols: ['lmz.resume.session-one.0'] });
    expect(await sock.next()).toEqual({ type: 'connection_status', subscriptionsLost: false, resumed: false, ack: 0 });
    sock.send({ type: 'call', callId: 'a', binding: 'STREAM', instance: stream, chain: record(1), seq: 1 });
    sock.send({ type: 'call', callId: 'a-again', binding: 'STREAM', instance: stream, chain: record(1), seq: 1 });
    expect(await sock.next('call_response')).toMatchObject({ callId: 'a', success: true, seq: 1, ack: 1 });
    expect(await env.STREAM.getByName(stream).received()).toEqual([1]);
    // Never acknowledging while calling on: the gateway stops holding frames for us.
    for (let i = 2; i < 40 && sock.ws.readyState === WebSocket.OPEN; i++) {
      sock.send({ type: 'call', callId: `c${i}`, binding: 'STREAM', instance: stream, chain: record(i), seq: i });
      await sock.next('call_response').catch(() => undefined);
    }
    expect(await sock.closed).toEqual({ code: 1008, reason: 'Too many unacknowledged frames' });

    const gap = await openRaw(`pete.${tab()}`, { protocols: ['lmz.resume.session-two.0'] });
    await gap.next('connection_status');
    gap.send({ type: 'call', callId: 'g', binding: 'STREAM', instance: stream, chain: record(99), seq: 5 });
    expect(await gap.closed).toEqual({ code: 1002, reason: 'Sequence gap' });
  });
});
