/**
 * The compact wire at the gateway (docs/mesh-clients.md "Wire format"), over raw sockets in
 * workerd: negotiation, interned targets across a cut and an eviction, exactly-once for a compact
 * frame re-sent after a cut, old-format frames on a compact session, and hostile compact frames
 * (unknown intern id, redefinition, id overflow, wrong chain tag, oversize).
 */
import { env, evictDurableObject } from 'cloudflare:test';
import { postprocess } from '@lumenize/structured-clone';
import { afterEach, describe, expect, it } from 'vitest';
import { deserializeValue, serializeChain, serializeCompactChain } from '../../src/envelope.ts';
import { newContinuation } from '../../src/ocan/continuation.ts';
import { decodePayload } from '../../src/wire/payload.ts';
import { WIRE_PROTOCOL } from '../../src/wire/frames.ts';
import { BATCH_PROTOCOL, MAX_FRAME_BYTES } from '../../src/client/frames.ts';
import type { LmzIntermediate } from '@lumenize/structured-clone';
import { openRaw, tab, type RawSocket } from './helpers.ts';
import { captureLogs, type CapturedLogs } from './captured-logs.ts';
import type { EchoDO } from './worker.ts';
import type { HoldDO } from './outbox-nodes.ts';

const echo = () => newContinuation<EchoDO>();

// The hostile-frame tests capture the gateway's refusal warnings and assert them (not printed).
let logs: CapturedLogs | undefined;
afterEach(() => {
  logs?.stop();
  logs = undefined;
});

/** The reasons of the gateway's "malformed frame ignored" warnings so far. */
function refusals(captured: CapturedLogs): string[] {
  return captured.records.filter((r) => r.message === 'malformed frame ignored').map((r) => String((r.data as { reason?: unknown }).reason));
}

/** Opens a resume session offering the compact wire. */
async function openCompact(name: string, session: string, ack = 0, extra: string[] = []): Promise<RawSocket> {
  return openRaw(name, { protocols: [`lmz.resume.${session}.${ack}`, WIRE_PROTOCOL, ...extra] });
}

/** The next compact call_response (or version-1 one) on the socket. */
async function nextResponse(sock: RawSocket, from: number): Promise<Record<string, unknown>> {
  for (let i = from; ; i++) {
    while (sock.messages.length <= i) await sock.next();
    const m = sock.messages[i]!;
    if (m.t === 'r' || m.type === 'call_response') return m;
  }
}

/** All responses received so far, by id. */
function responses(sock: RawSocket): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const m of sock.messages) {
    if (m.t === 'r') out.set(String(m.i), m);
    else if (m.type === 'call_response') out.set(String(m.callId), m);
  }
  return out;
}

function valueOf(m: Record<string, unknown>): unknown {
  if (m.t === 'r') {
    if (m.e !== undefined) throw decodePayload([1, m.e], postprocess as never) as Error;
    return m.r !== undefined ? decodePayload([1, m.r], postprocess as never) : m.j;
  }
  const value = deserializeValue((m.success ? m.result : m.error) as LmzIntermediate);
  if (!m.success) throw value as Error;
  return value;
}

async function settle(sock: RawSocket, count: number): Promise<void> {
  while (responses(sock).size < count) await sock.next();
}

describe('compact wire at the gateway', () => {
  it('is agreed only with resume: connection_status says wire 2; without resume it stays version 1', async () => {
    const name = `wanda.${tab()}`;
    const sock = await openCompact(name, `s-${crypto.randomUUID()}`, 0, [BATCH_PROTOCOL]);
    expect(await sock.next('connection_status')).toMatchObject({ type: 'connection_status', wire: 2, batch: true, resumed: false });
    sock.ws.close(1000);
    const plain = await openRaw(`wanda.${tab()}`, { protocols: [WIRE_PROTOCOL] });
    expect((await plain.next('connection_status')).wire).toBeUndefined();
    plain.ws.close(1000);
  });

  it('a target defined once is referenced by id; results come back as tagged payloads without success', async () => {
    const name = `wanda.${tab()}`;
    const sock = await openCompact(name, `s-${crypto.randomUUID()}`);
    await sock.next('connection_status');
    const target = `w-${tab()}`;
    sock.send({ t: 'c', i: 1, d: [1, 'ECHO', target], c: serializeCompactChain(echo().echo({ a: [1, 2] })), s: 1, a: 0 });
    const first = await nextResponse(sock, 0);
    expect(first).toEqual({ t: 'r', i: 1, j: { a: [1, 2] }, seq: 1, ack: 1 });
    sock.send({ t: 'c', i: 2, d: 1, c: serializeCompactChain(echo().echo(new Date(7))), s: 2, a: 1 });
    await settle(sock, 2);
    const second = responses(sock).get('2')!;
    expect(second.r).toBeDefined(); // an intermediate: a Date is not plain JSON
    expect(valueOf(second)).toEqual(new Date(7));
    sock.ws.close(1000);
  });

  it('an unknown intern id or a redefinition is answered with an error and nothing runs', async () => {
    const captured = (logs = captureLogs());
    const name = `wanda.${tab()}`;
    const sock = await openCompact(name, `s-${crypto.randomUUID()}`);
    await sock.next('connection_status');
    const key = `k-${tab()}`;
    const hold = (k: string) => serializeCompactChain(newContinuation<HoldDO>().hold(k));
    sock.send({ t: 'c', i: 1, d: 9, c: hold(key), s: 1, a: 0 });
    const unknown = await nextResponse(sock, 0);
    expect(() => valueOf(unknown)).toThrow(/unknown target id 9 \(never defined in this session\)/);
    sock.send({ t: 'c', i: 2, d: [1, 'ECHO', 'one'], c: serializeCompactChain(echo().echo(1)), s: 2, a: 1 });
    sock.send({ t: 'c', i: 3, d: [1, 'HOLD', key], c: hold(key), s: 3, a: 1 });
    await settle(sock, 3);
    expect(valueOf(responses(sock).get('2')!)).toBe(1);
    expect(() => valueOf(responses(sock).get('3')!)).toThrow(/target id 1 is already defined for another target/);
    expect(await env.HOLD.getByName(key).started(key)).toBe(false);
    expect(refusals(captured)).toEqual(['unknown target id 9 (never defined in this session)', 'target id 1 is already defined for another target']);
    expect(captured.unexpected(['malformed frame ignored'])).toEqual([]);
    sock.ws.close(1000);
  });

  it('id overflow, a wrong chain tag and a bad definition are refused; the socket keeps working', async () => {
    const captured = (logs = captureLogs());
    const name = `wanda.${tab()}`;
    const sock = await openCompact(name, `s-${crypto.randomUUID()}`);
    await sock.next('connection_status');
    const ok = serializeCompactChain(echo().echo('fine'));
    // A frame refused as malformed fills no seq slot (as in version 1): each of these claims seq 1.
    sock.send({ t: 'c', i: 2 ** 53, d: [1, 'ECHO', 'x'], c: ok, s: 1, a: 0 }); // no readable id: logged, unanswered
    sock.send({ t: 'c', i: 5, d: [1, 'ECHO', 'x'], c: [7, []], s: 1, a: 0 });
    sock.send({ t: 'c', i: 6, d: [1, 'not a binding'], c: ok, s: 1, a: 0 });
    sock.send({ t: 'c', i: 7, d: [1, 'ECHO', 'x'], c: ok, s: 1, a: 0 });
    await settle(sock, 3);
    const got = responses(sock);
    expect([...got.keys()].sort()).toEqual(['5', '6', '7']);
    expect(() => valueOf(got.get('5')!)).toThrow(/Invalid call: call without a compact chain/);
    expect(() => valueOf(got.get('6')!)).toThrow(/Invalid call: call without a valid binding/);
    expect(valueOf(got.get('7')!)).toBe('fine');
    expect(refusals(captured)).toEqual([
      'call without a valid id (an integer from 1 to 9007199254740991)',
      'call without a compact chain (o: operations, or c: [tag, …])',
      'call without a valid binding',
    ]);
    expect(captured.unexpected(['malformed frame ignored'])).toEqual([]);
    sock.ws.close(1000);
  });

  it('an oversize compact frame closes the socket with 1009, like any frame', async () => {
    const captured = (logs = captureLogs());
    const name = `wanda.${tab()}`;
    const sock = await openCompact(name, `s-${crypto.randomUUID()}`);
    await sock.next('connection_status');
    sock.send({ t: 'c', i: 1, d: [1, 'ECHO', 'x'], c: serializeCompactChain(echo().echo('x'.repeat(MAX_FRAME_BYTES))), s: 1, a: 0 });
    expect((await sock.closed).code).toBe(1009);
    expect(captured.count('oversize frame, closing 1009')).toBe(1);
    expect(captured.unexpected(['oversize frame, closing 1009'])).toEqual([]);
  });

  it('interned ids outlive a cut and an eviction; a frame re-sent after the cut runs once', async () => {
    const name = `wanda.${tab()}`;
    const session = `s-${crypto.randomUUID()}`;
    const first = await openCompact(name, session);
    await first.next('connection_status');
    const target = `w-${tab()}`;
    first.send({ t: 'c', i: 1, d: [1, 'ECHO', target], c: serializeCompactChain(echo().echo(1)), s: 1, a: 0 });
    await settle(first, 1);
    // Frame 2 refers to the id; the cut comes before the client saw its answer.
    first.send({ t: 'c', i: 2, d: 1, c: serializeCompactChain(echo().echo(2)), s: 2, a: 1 });
    await settle(first, 2);
    first.ws.close(4000, 'cut');
    await first.closed;
    await evictDurableObject(env.LUMENIZE_CLIENT_GATEWAY.getByName(name));
    const second = await openCompact(name, session, 1);
    expect(await second.next('connection_status')).toMatchObject({ resumed: true, ack: 2, wire: 2 });
    // The replay of answer 2 (unacked), then the re-sent frame 2 is a duplicate and runs no second time.
    second.send({ t: 'c', i: 2, d: 1, c: serializeCompactChain(echo().echo(2)), s: 2, a: 1 });
    second.send({ t: 'c', i: 3, d: 1, c: serializeCompactChain(echo().echo(3)), s: 3, a: 2 });
    await settle(second, 2);
    const answers = second.messages.filter((m) => m.t === 'r').map((m) => [m.i, valueOf(m)]);
    expect(answers).toEqual([
      [2, 2],
      [3, 3],
    ]);
    second.ws.close(1000);
  });

  it('old-format frames still work on a compact session, and are answered in the old format', async () => {
    const name = `wanda.${tab()}`;
    const sock = await openCompact(name, `s-${crypto.randomUUID()}`);
    await sock.next('connection_status');
    sock.send({ type: 'call', callId: 'old-1', binding: 'ECHO', instance: 'o', chain: serializeChain(echo().echo([1])), seq: 1, ack: 0 });
    const m = await nextResponse(sock, 0);
    expect(m).toMatchObject({ type: 'call_response', callId: 'old-1', success: true });
    expect(valueOf(m)).toEqual([1]);
    sock.ws.close(1000);
  });
});
