/**
 * The gateway's durable outbox (issue 13; docs/mesh-clients.md "Durable outbox"), against real
 * gateways in workerd with raw protocol sockets, so exactly which frames are unacknowledged is up to
 * the test:
 * - evicted with its sockets closed while frames are unacknowledged, the gateway replays each of
 *   them exactly once, in order, after the client resumes; calls the client made are not run again;
 * - a client call in flight at the eviction is answered once with CallOutcomeUnknownError; one whose
 *   answer is recorded but unacknowledged is settled by that answer's row and replayed, never
 *   answered again (an outbox from before that `settles` column gains it);
 * - pushes count against the outbox limit: past it the caller gets OutboxFullError and the socket
 *   closes 1008; the client resumes from its last ack and new pushes go through again;
 * - answers and incoming calls over the frame limit fail with FrameTooLargeError instead of looping;
 * - a socket whose heartbeat is stale gets no frames: it is closed 4408 and the call waits for the resume;
 * - after an eviction, a call to a client that has not come back waits out the grace period and
 *   then fails with ClientDisconnectedError.
 */
import { env, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { LmzIntermediate } from '@lumenize/structured-clone';
import { deserializeValue, serializeChain } from '../../src/envelope.ts';
import { newContinuation } from '../../src/ocan/continuation.ts';
import { HEARTBEAT_PING, HEARTBEAT_PONG } from '../../src/gateway/heartbeat.ts';
import { DurableChannel } from '../../src/gateway/outbox.ts';
import { tab, until } from './helpers.ts';
import { openResume, type ResumeSocket } from './outbox-helpers.ts';
import type { StreamDO } from './worker.ts';
import type { BigDO, HoldDO } from './outbox-nodes.ts';

const record = (n: number) => serializeChain(newContinuation<StreamDO>().record(n));

/** The next `n` protocol messages on `sock`, in arrival order. */
async function take(sock: ResumeSocket, n: number): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = [];
  for (let i = 0; i < n; i++) out.push(await sock.next());
  return out;
}

function errorOf(frame: Record<string, unknown>): Error & { code?: string } {
  return deserializeValue(frame.error as LmzIntermediate) as Error & { code?: string };
}

async function outboxRows(binding: 'LUMENIZE_CLIENT_GATEWAY' | 'TINY_GATEWAY', name: string): Promise<number> {
  return runInDurableObject(env[binding].getByName(name), (_i, state) => Number(state.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM __lmz_gateway_outbox').one().n));
}

/**
 * The calls a fresh gateway instance would find owed: the session row's ids minus those the
 * unacknowledged answer rows settle.
 */
function storedOwed(gateway: DurableObjectStub): Promise<string[]> {
  return runInDurableObject(gateway, (_i, state) => {
    const sql = state.storage.sql;
    const owed = JSON.parse(String(sql.exec<{ owed: string }>('SELECT owed FROM __lmz_gateway_session_v2').one().owed)) as string[];
    const settled = sql.exec<{ settles: string | null }>('SELECT settles FROM __lmz_gateway_outbox').toArray().flatMap((r) => (r.settles === null ? [] : (JSON.parse(String(r.settles)) as string[])));
    return owed.filter((id) => !settled.includes(id));
  });
}

describe('durable outbox', () => {
  it('evicted with its sockets closed while 6 frames are unacknowledged: after the resume each is replayed exactly once, in order, and no call runs twice', async () => {
    const name = `olga.${tab()}`;
    const sid = `evict-${crypto.randomUUID()}`;
    const stream = `outbox-${tab()}`;
    const gateway = env.LUMENIZE_CLIENT_GATEWAY.getByName(name);
    const sock = await openResume(name, 'LUMENIZE_CLIENT_GATEWAY', sid, 0);
    expect(await sock.next()).toEqual({ type: 'connection_status', subscriptionsLost: false, resumed: false, ack: 0 });
    // Three client calls, answered; the client never acknowledges the answers.
    for (let i = 1; i <= 3; i++) sock.send({ type: 'call', callId: `c${i}`, binding: 'STREAM', instance: stream, chain: record(i), seq: i });
    const answers = await take(sock, 3);
    // Three pushes (DO → client calls), delivered one after another, never answered.
    const echo = env.ECHO.getByName(`outbox-echo-${tab()}`);
    const pushes: Array<Promise<unknown>> = [];
    const incoming: Array<Record<string, unknown>> = [];
    for (let n = 1; n <= 3; n++) {
      pushes.push(echo.callClient('LUMENIZE_CLIENT_GATEWAY', name, 'receive', [n]));
      incoming.push(await sock.next());
    }
    const before = [...answers, ...incoming];
    expect(before.map((f) => [f.type, f.seq])).toEqual([
      ['call_response', 1],
      ['call_response', 2],
      ['call_response', 3],
      ['incoming_call', 4],
      ['incoming_call', 5],
      ['incoming_call', 6],
    ]);
    expect(await outboxRows('LUMENIZE_CLIENT_GATEWAY', name)).toBe(6);

    // The client answers the pushes (their callers finish) but its acks never reach the gateway.
    incoming.forEach((f, i) => sock.send({ type: 'incoming_call_response', callId: f.callId, success: true, result: serializeChain(i + 1), seq: 4 + i }));
    expect((await Promise.all(pushes)).map((r) => (r as { ok: boolean }).ok)).toEqual([true, true, true]);
    await evictDurableObject(gateway, { webSockets: 'close' });
    await sock.closed; // their callers' RPCs ended with the instance

    const again = await openResume(name, 'LUMENIZE_CLIENT_GATEWAY', sid, 0);
    expect(await again.next()).toEqual({ type: 'connection_status', subscriptionsLost: false, resumed: true, ack: 6 });
    expect(await take(again, 6)).toEqual(before);
    // Acknowledge the replay and call on: the next frame is the new answer (seq 7), nothing replayed twice.
    again.send({ type: 'call', callId: 'c4', binding: 'STREAM', instance: stream, chain: record(4), seq: 7, ack: 6 });
    expect(await again.next()).toMatchObject({ type: 'call_response', callId: 'c4', success: true, seq: 7, ack: 7 });
    expect(await env.STREAM.getByName(stream).received()).toEqual([1, 2, 3, 4]);
    again.send({ type: 'ack', ack: 7 });
    await until(async () => (await outboxRows('LUMENIZE_CLIENT_GATEWAY', name)) === 0, 'outbox drained');
    // A later resume replays nothing.
    again.ws.close(4000);
    await again.closed;
    const third = await openResume(name, 'LUMENIZE_CLIENT_GATEWAY', sid, 7);
    expect(await third.next()).toEqual({ type: 'connection_status', subscriptionsLost: false, resumed: true, ack: 7 });
    third.send({ type: 'call', callId: 'c5', binding: 'STREAM', instance: stream, chain: record(5), seq: 8 });
    expect(await third.next()).toMatchObject({ type: 'call_response', callId: 'c5', seq: 8 });
    third.ws.close(1000);
    expect(await env.STREAM.getByName(stream).received()).toEqual([1, 2, 3, 4, 5]);
  });

  it('an answer recorded but not acknowledged settles its call: after an eviction it is replayed once, never answered again with CallOutcomeUnknownError', async () => {
    const name = `oskar.${tab()}`;
    const sid = `settled-${crypto.randomUUID()}`;
    const stream = `settled-${tab()}`;
    const gateway = env.LUMENIZE_CLIENT_GATEWAY.getByName(name);
    const sock = await openResume(name, 'LUMENIZE_CLIENT_GATEWAY', sid, 0);
    await sock.next();
    sock.send({ type: 'call', callId: 's1', binding: 'STREAM', instance: stream, chain: record(1), seq: 1 });
    const answer = await sock.next();
    expect(answer).toMatchObject({ type: 'call_response', callId: 's1', success: true, seq: 1 });
    // The session row still lists s1 (it is rewritten on the ack); the answer's row settles it.
    const rows = await runInDurableObject(gateway, (_i, state) => ({
      owed: String(state.storage.sql.exec<{ owed: string }>('SELECT owed FROM __lmz_gateway_session_v2').one().owed),
      settles: state.storage.sql.exec<{ settles: string | null }>('SELECT settles FROM __lmz_gateway_outbox').toArray().map((r) => r.settles),
    }));
    expect(rows).toEqual({ owed: '["s1"]', settles: ['["s1"]'] });
    expect(await storedOwed(gateway)).toEqual([]);
    await evictDurableObject(gateway, { webSockets: 'close' });
    await sock.closed;
    const again = await openResume(name, 'LUMENIZE_CLIENT_GATEWAY', sid, 0);
    expect(await again.next()).toEqual({ type: 'connection_status', subscriptionsLost: false, resumed: true, ack: 1 });
    expect(await again.next()).toEqual(answer);
    // Acknowledged with the next call: its answer is the next frame, and the session row drops s1
    // (it now lists s2, whose answer row, unacknowledged, settles it).
    again.send({ type: 'call', callId: 's2', binding: 'STREAM', instance: stream, chain: record(2), seq: 2, ack: 1 });
    expect(await again.next()).toMatchObject({ type: 'call_response', callId: 's2', success: true, seq: 2 });
    expect(again.messages.filter((m) => m.callId === 's1')).toHaveLength(1);
    expect(await runInDurableObject(gateway, (_i, state) => String(state.storage.sql.exec<{ owed: string }>('SELECT owed FROM __lmz_gateway_session_v2').one().owed))).toBe('["s2"]');
    expect(await storedOwed(gateway)).toEqual([]);
    expect(await env.STREAM.getByName(stream).received()).toEqual([1, 2]);
    again.ws.close(1000);
  });

  it('an outbox stored before the settles column gains it, keeping its rows', async () => {
    const gateway = env.LUMENIZE_CLIENT_GATEWAY.getByName(`olaf.${tab()}`);
    const columns = await runInDurableObject(gateway, (_i, state) => {
      const sql = state.storage.sql;
      sql.exec('DROP TABLE __lmz_gateway_outbox');
      sql.exec('CREATE TABLE __lmz_gateway_outbox (seq INTEGER PRIMARY KEY, text TEXT NOT NULL)');
      sql.exec(`INSERT INTO __lmz_gateway_outbox (seq, text) VALUES (1, '{"type":"ack","seq":1,"ack":0}')`);
      DurableChannel.install(sql);
      DurableChannel.install(sql); // idempotent
      return sql.exec<{ seq: number; settles: string | null }>('SELECT seq, settles FROM __lmz_gateway_outbox').toArray();
    });
    expect(columns).toEqual([{ seq: 1, settles: null }]);
  });

  // evictDurableObject waits for the gateway's in-flight forward to finish, so the eviction cannot cut
  // one here: the test checks the owed row while the call is held, then leaves the storage a cut
  // forward leaves (the row of an unanswered call) and evicts. node/restart.node.test.ts cuts a real
  // forward by restarting wrangler dev.
  it('a client call owed an answer when a fresh gateway starts is answered exactly once, with CallOutcomeUnknownError', async () => {
    const name = `otto.${tab()}`;
    const sid = `orphan-${crypto.randomUUID()}`;
    const key = tab('hold');
    const hold = env.HOLD.getByName(`hold-${key}`);
    const gateway = env.LUMENIZE_CLIENT_GATEWAY.getByName(name);
    const owedRows = () => storedOwed(gateway);
    const sock = await openResume(name, 'LUMENIZE_CLIENT_GATEWAY', sid, 0);
    await sock.next();
    sock.send({ type: 'call', callId: 'h1', binding: 'HOLD', instance: `hold-${key}`, chain: serializeChain(newContinuation<HoldDO>().hold(key)), seq: 1 });
    await until(() => hold.started(key), 'the callee holds the call');
    expect(await owedRows()).toEqual(['h1']);
    expect(await hold.release(key)).toBe(true);
    expect(await sock.next()).toMatchObject({ type: 'call_response', callId: 'h1', success: true, seq: 1 });
    expect(await owedRows()).toEqual([]);

    // What a restart mid-forward leaves behind: an owed row for h2 (accepted as seq 2), no instance.
    await runInDurableObject(gateway, (_i, state) => {
      state.storage.sql.exec(`UPDATE __lmz_gateway_session_v2 SET received = 2, owed = '["h2"]'`);
    });
    await evictDurableObject(gateway, { webSockets: 'close' });
    await sock.closed;
    const again = await openResume(name, 'LUMENIZE_CLIENT_GATEWAY', sid, 1);
    expect(await again.next()).toEqual({ type: 'connection_status', subscriptionsLost: false, resumed: true, ack: 2 });
    const answer = await again.next();
    expect(answer).toMatchObject({ type: 'call_response', callId: 'h2', success: false, seq: 2 });
    const error = errorOf(answer);
    expect(error.name).toBe('CallOutcomeUnknownError');
    expect(error.code).toBe('CALL_OUTCOME_UNKNOWN');
    expect(error.message).toContain('may or may not have run');
    expect(await owedRows()).toEqual([]);
    // Once: the next frame is the answer to the next call, and another fresh instance adds nothing.
    await evictDurableObject(gateway);
    again.send({ type: 'call', callId: 'after', binding: 'BIG', instance: 'b', chain: serializeChain(newContinuation<BigDO>().small()), seq: 3, ack: 2 });
    expect(await again.next()).toMatchObject({ type: 'call_response', callId: 'after', success: true, seq: 3 });
    expect(again.messages.filter((m) => m.callId === 'h2')).toHaveLength(1);
    again.ws.close(1000);
  });

  it('pushes count against the outbox limit: past it the caller gets OutboxFullError and the socket closes 1008; after the resume and acks pushes flow again', async () => {
    const name = `pia.${tab()}`;
    const sid = `cap-${crypto.randomUUID()}`;
    const echo = env.ECHO.getByName(`cap-echo-${tab()}`);
    const sock = await openResume(name, 'TINY_GATEWAY', sid, 0);
    await sock.next();
    // The limit is 4 frames: four pushes wait for the client, which neither answers nor acknowledges.
    const waiting: Array<Promise<{ ok: boolean }>> = [];
    for (let n = 1; n <= 4; n++) {
      waiting.push(echo.callClient('TINY_GATEWAY', name, 'receive', [n]));
      expect(await sock.next()).toMatchObject({ type: 'incoming_call', seq: n });
    }
    const refused: { ok: boolean; name?: string; message?: string } = await echo.callClient('TINY_GATEWAY', name, 'receive', [5]);
    expect(refused).toMatchObject({ ok: false, name: 'OutboxFullError' });
    expect(refused.message).toContain('4 unacknowledged frames');
    expect(await sock.closed).toEqual({ code: 1008, reason: 'Too many unacknowledged frames' });
    expect(await outboxRows('TINY_GATEWAY', name)).toBe(4);

    // The client resumes from its last ack (0): the four frames come again, it answers them, pushes flow.
    const again = await openResume(name, 'TINY_GATEWAY', sid, 0);
    expect(await again.next()).toMatchObject({ type: 'connection_status', resumed: true });
    const replayed = await take(again, 4);
    expect(replayed.map((f) => f.seq)).toEqual([1, 2, 3, 4]);
    replayed.forEach((f, i) => again.send({ type: 'incoming_call_response', callId: f.callId, success: true, result: serializeChain(i + 1), seq: i + 1, ack: f.seq }));
    expect((await Promise.all(waiting)).map((r) => r.ok)).toEqual([true, true, true, true]);
    const later = echo.callClient('TINY_GATEWAY', name, 'receive', [6]);
    const sixth = await again.next();
    expect(sixth.seq).toBe(5);
    again.send({ type: 'incoming_call_response', callId: sixth.callId, success: true, result: serializeChain(6), seq: 5, ack: 5 });
    expect(await later).toMatchObject({ ok: true });
    again.ws.close(1000);
  });

  it('an answer or an incoming call over the frame limit fails with FrameTooLargeError; the socket stays open and nothing is replayed', async () => {
    const name = `quin.${tab()}`;
    const sid = `big-${crypto.randomUUID()}`;
    const sock = await openResume(name, 'TINY_GATEWAY', sid, 0);
    await sock.next();
    sock.send({ type: 'call', callId: 'b1', binding: 'BIG', instance: 'b', chain: serializeChain(newContinuation<BigDO>().big(1_200_000)), seq: 1 });
    const answer = await sock.next();
    expect(answer).toMatchObject({ type: 'call_response', callId: 'b1', success: false, seq: 1 });
    expect(errorOf(answer)).toMatchObject({ name: 'FrameTooLargeError', limit: 1_000_000 });
    const pushed: { ok: boolean; name?: string; message?: string } = await env.BIG.getByName('b').pushBig('TINY_GATEWAY', name, 1_200_000);
    expect(pushed).toMatchObject({ ok: false, name: 'FrameTooLargeError' });
    expect(pushed.message).toContain('over the frame limit of 1000000 bytes');
    // Still open, and the stored frame is the small error, not the answer.
    sock.send({ type: 'call', callId: 'b2', binding: 'BIG', instance: 'b', chain: serializeChain(newContinuation<BigDO>().small()), seq: 2, ack: 1 });
    expect(await sock.next()).toMatchObject({ type: 'call_response', callId: 'b2', success: true, seq: 2 });
    expect(sock.ws.readyState).toBe(WebSocket.OPEN);
    sock.ws.close(1000);
  });

  it('does not deliver into a socket whose heartbeat is stale: closes it 4408, and the call reaches the client after it resumes', async () => {
    const name = `rhea.${tab()}`;
    const sid = `stale-${crypto.randomUUID()}`;
    const sock = await openResume(name, 'STALE_GATEWAY', sid, 0);
    await sock.next();
    sock.sendText(HEARTBEAT_PING);
    await sock.textCount(1);
    expect(sock.texts).toEqual([HEARTBEAT_PONG]);
    const call = env.ECHO.getByName(`stale-echo-${tab()}`).callClient('STALE_GATEWAY', name, 'receive', [1]);
    expect(await sock.closed).toEqual({ code: 4408, reason: 'Heartbeat stale' });
    expect(sock.messages.filter((m) => m.type === 'incoming_call')).toEqual([]);
    const again = await openResume(name, 'STALE_GATEWAY', sid, 0);
    expect(await again.next()).toMatchObject({ type: 'connection_status', resumed: true });
    const incoming = await again.next();
    expect(incoming).toMatchObject({ type: 'incoming_call', seq: 1 });
    again.send({ type: 'incoming_call_response', callId: incoming.callId, success: true, result: serializeChain('done'), seq: 1, ack: 1 });
    expect(await call).toEqual({ ok: true, value: 'done' });
    again.ws.close(1000);
  });

  it('after an eviction, a call to a client that has not come back waits for it, then fails with ClientDisconnectedError when the grace period ends', async () => {
    const name = `saul.${tab()}`;
    const sid = `grace-${crypto.randomUUID()}`;
    const gateway = env.LUMENIZE_CLIENT_GATEWAY.getByName(name);
    const sock = await openResume(name, 'LUMENIZE_CLIENT_GATEWAY', sid, 0);
    await sock.next();
    await evictDurableObject(gateway, { webSockets: 'close' });
    await sock.closed;
    const call = env.ECHO.getByName(`grace-echo-${tab()}`).callClient('LUMENIZE_CLIENT_GATEWAY', name, 'receive', [1]);
    // The gateway set its grace alarm (60 s in this test gateway); run it instead of waiting.
    await until(async () => (await runInDurableObject(gateway, (_i, state) => state.storage.getAlarm())) !== null, 'grace alarm');
    expect(await runDurableObjectAlarm(gateway)).toBe(true);
    expect(await call).toMatchObject({ ok: false, name: 'ClientDisconnectedError', message: 'Client did not reconnect within grace period', isClientDisconnected: true });
    expect(await outboxRows('LUMENIZE_CLIENT_GATEWAY', name)).toBe(0);
  });
});
