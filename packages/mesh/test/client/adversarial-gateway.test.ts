/**
 * Peers cannot corrupt each other's frames (issue 12 item 4). Client B answers incoming calls that
 * client A made with frame-breaking results, and a hostile mesh callee answers A's gateway with
 * frame-breaking result texts. A gets a clear InvalidPeerResultError for exactly that call; its
 * connection, its seq/ack numbering and its later calls are untouched (no reconnect).
 */
import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it } from 'vitest';
import type { LmzIntermediate } from '@lumenize/structured-clone';
import { deserializeValue, serializeChain } from '../../src/envelope.ts';
import { newContinuation } from '../../src/ocan/continuation.ts';
import type { LumenizeClient } from '../../src/client/index.ts';
import { captureLogs, type CapturedLogs } from './captured-logs.ts';
import { openRaw, tab, type RawSocket } from './helpers.ts';
import { TestClient, connected, makeClient } from './test-client.ts';
import type { EchoDO } from './worker.ts';

/** Results B sends (as the frame's `result` member value); none is a serialized intermediate. */
const DEEP = JSON.parse('['.repeat(200) + ']'.repeat(200)) as unknown;
const HOSTILE_RESULTS: Array<[string, unknown]> = [
  ['seq override', '1,"seq":999'],
  ['ack override', '1,"ack":0,"seq":1'],
  ['invalid JSON', '{"root":'],
  ['huge string', 'x'.repeat(600_000) + '"'],
  ['nested quotes', '"\\"}\\"",{"'],
  ['closing brace', '}'],
  ['unicode escapes', '{"root":"\\u0022","objects":[]},"seq":7'],
  ['intermediate as a string', '{"root":1,"objects":[]}'],
  ['valid JSON, not an intermediate', { foo: 1 }],
  ['extra member', { root: 1, objects: [], seq: 999 }],
  ['objects not an array', { root: 1, objects: {} }],
  ['array', [1, 2]],
  ['number', 42],
  ['null', null],
  ['deep nesting', { root: DEEP, objects: [] }],
];

const ping = () => newContinuation<TestClient>().ping(1);
const echo = () => newContinuation<EchoDO>();

function decoded(message: Record<string, unknown>): unknown {
  return deserializeValue((message.success ? message.result : message.error) as LmzIntermediate);
}

/** B answers its next incoming call with `answer` (the frame's other members are well formed). */
async function answerNext(b: RawSocket, answer: Record<string, unknown>): Promise<void> {
  const incoming = await b.next('incoming_call');
  b.send({ type: 'incoming_call_response', callId: incoming.callId, ...answer });
}

/** The gateway's log line for each refused answer (at warn): captured and asserted, not printed. */
const REFUSED_ANSWER = 'invalid incoming_call_response answered as an error';
let logs: CapturedLogs | undefined;
afterEach(() => logs?.stop());

describe('a client cannot break another client frame through its answers', () => {
  it('every hostile result reaches A as InvalidPeerResultError; seq/ack stay intact and later calls work', async () => {
    const captured = (logs = captureLogs());
    const aName = `alice.${tab()}`;
    const bName = `bob.${tab()}`;
    const session = `adv${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`;
    const a = await openRaw(aName, { protocols: [`lmz.resume.${session}.0`] });
    const b = await openRaw(bName);
    expect(await a.next()).toMatchObject({ type: 'connection_status', resumed: false, ack: 0 });
    await b.next('connection_status');

    let sent = 0;
    let expectedSeq = 0;
    const callFromA = async (callId: string, binding: string, instance: string, remote: unknown) => {
      a.send({ type: 'call', callId, binding, instance, chain: serializeChain(remote), seq: ++sent, ack: expectedSeq });
    };
    const cases: Array<[string, Record<string, unknown>]> = [
      ...HOSTILE_RESULTS.map(([label, result]): [string, Record<string, unknown>] => [label, { success: true, result }]),
      ['error member a string', { success: false, error: '1,"seq":999' }],
      ['error member missing', { success: false }],
    ];
    for (const [label, answer] of cases) {
      const callId = `c-${expectedSeq + 1}`;
      await callFromA(callId, 'LUMENIZE_CLIENT_GATEWAY', bName, ping());
      await answerNext(b, answer);
      const response = await a.next('call_response');
      expectedSeq++;
      expect(response, label).toMatchObject({ type: 'call_response', callId, success: false, seq: expectedSeq, ack: sent });
      expect(Object.keys(response).sort(), label).toEqual(['ack', 'callId', 'error', 'seq', 'success', 'type']);
      const error = decoded(response) as Error;
      expect(error.name, label).toBe('InvalidPeerResultError');
      expect(error.message, label).toContain(`Client '${bName}' sent an invalid answer to call`);
      expect(a.ws.readyState, label).toBe(WebSocket.OPEN);
    }

    // A well-formed answer from B still passes through, and A's own calls keep working.
    await callFromA('good', 'LUMENIZE_CLIENT_GATEWAY', bName, ping());
    await answerNext(b, { success: true, result: { root: 'pong', objects: [] } });
    const good = await a.next('call_response');
    expect(good).toMatchObject({ callId: 'good', success: true, seq: ++expectedSeq, ack: sent });
    expect(decoded(good)).toBe('pong');
    await callFromA('after', 'ECHO', 'adv-echo', echo().echo('still fine'));
    const after = await a.next('call_response');
    expect(after).toMatchObject({ callId: 'after', success: true, seq: ++expectedSeq, ack: sent });
    expect(decoded(after)).toBe('still fine');
    expect(a.messages.filter((m) => m.type === 'connection_status')).toHaveLength(1);
    expect([a.ws.readyState, b.ws.readyState]).toEqual([WebSocket.OPEN, WebSocket.OPEN]);
    expect(captured.count(REFUSED_ANSWER)).toBeGreaterThan(0);
    expect(captured.unexpected([REFUSED_ANSWER])).toEqual([]);
    a.ws.close(1000);
    b.ws.close(1000);
  });

  it('a callee answering A through its gateway with frame-breaking text is refused the same way', async () => {
    const a = await openRaw(`alice.${tab()}`, { protocols: [`lmz.resume.adv${crypto.randomUUID().slice(0, 8)}x.0`] });
    await a.next('connection_status');
    const replies: Array<[string, unknown]> = [
      // As a callee's `$result` text, '{"root":1,"objects":[]}' is a valid intermediate: left out.
      ...HOSTILE_RESULTS.filter(([label, r]) => typeof r === 'string' && label !== 'intermediate as a string').map(([label, r]): [string, unknown] => [label, { $result: r }]),
      ['result is an object, not an intermediate', { $result: { foo: 1 } }],
      ['error is a string', { $error: '1,"seq":999' }],
      ['text with trailing frame members', { $result: '{"root":1,"objects":[]},"seq":999' }],
      ['text with a duplicate member', { $result: '{"root":1,"objects":[],"objects":[]}' }],
    ];
    let seq = 0;
    for (const [label, reply] of replies) {
      seq++;
      a.send({ type: 'call', callId: `r${seq}`, binding: 'RAW_REPLY', instance: 'raw', chain: serializeChain(newContinuation<{ reply(r: unknown): void }>().reply(reply)), seq, ack: seq - 1 });
      const response = await a.next('call_response');
      expect(response, label).toMatchObject({ callId: `r${seq}`, success: false, seq, ack: seq });
      const error = decoded(response) as Error;
      expect(error.name, label).toBe('InvalidPeerResultError');
      expect(error.message, label).toContain("The callee 'RAW_REPLY' answered with an invalid");
    }
    // A correct text reply is spliced as is.
    seq++;
    a.send({ type: 'call', callId: 'ok', binding: 'RAW_REPLY', instance: 'raw', chain: serializeChain(newContinuation<{ reply(r: unknown): void }>().reply({ $result: '{"root":"fine","objects":[]}' })), seq, ack: seq - 1 });
    const ok = await a.next('call_response');
    expect(ok).toMatchObject({ callId: 'ok', success: true, seq, ack: seq });
    expect(decoded(ok)).toBe('fine');
    expect(a.ws.readyState).toBe(WebSocket.OPEN);
    a.ws.close(1000);
  });
});

describe('a real LumenizeClient stays connected while its peer misbehaves', () => {
  const live: LumenizeClient[] = [];
  afterEach(() => {
    for (const c of live.splice(0)) c.disconnect();
  });

  it('A gets a clear error for each hostile answer, never reconnects, and its later calls resolve', async () => {
    const captured = (logs = captureLogs());
    const made = makeClient(TestClient, 'alice');
    live.push(made.client);
    const { client } = made;
    await connected(client);
    const bName = `bob.${tab()}`;
    const b = await openRaw(bName);
    await b.next('connection_status');
    for (const [label, result] of HOSTILE_RESULTS) {
      const outcome = client.lmz.callRaw('LUMENIZE_CLIENT_GATEWAY', bName, client.ctn<TestClient>().ping(1)).then(
        () => undefined,
        (e: Error) => e,
      );
      await answerNext(b, { success: true, result });
      const error = await outcome;
      expect(error?.name, label).toBe('InvalidPeerResultError');
      expect(error?.message, label).toContain(`Client '${bName}' sent an invalid answer`);
    }
    expect(await client.lmz.callRaw('ECHO', 'adv-real', client.ctn<EchoDO>().echo('later'))).toBe('later');
    expect(made.sockets.sockets).toHaveLength(1);
    expect(made.states).toEqual(['connected']);
    expect(captured.count(REFUSED_ANSWER)).toBe(HOSTILE_RESULTS.length);
    expect(captured.unexpected([REFUSED_ANSWER])).toEqual([]);
    b.ws.close(1000);
  });
});
