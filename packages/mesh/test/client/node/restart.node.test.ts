/**
 * The durable outbox across a real runtime restart (issue 13): `wrangler dev` with persisted state
 * is stopped and started again while a client holds unacknowledged frames — an answer, a push from
 * a DO (EchoDO calling the client back) — and a client call is in flight (the call that made the DO
 * push). After the restart the client resumes: each stored frame is replayed exactly once, in order,
 * the call cut by the restart is answered once with CallOutcomeUnknownError, and nothing runs twice.
 * The client is a raw protocol socket (Node's WebSocket), so which frames are unacknowledged at the
 * restart is up to the test, not timing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LmzIntermediate } from '@lumenize/structured-clone';
import { startWranglerDev, type WranglerDev } from '../../../../../tools/wrangler-dev.ts';
import { deserializeValue, serializeChain } from '../../../src/envelope.ts';
import { newContinuation } from '../../../src/ocan/continuation.ts';
import { makeToken } from '../sim-auth.ts';

interface Stream {
  record(n: number): number;
  received(): number[];
}
interface Echo {
  callMeBack(method: string, args: unknown[]): unknown;
}

interface Raw {
  next(): Promise<Record<string, unknown>>;
  send(frame: unknown): void;
  ws: WebSocket;
  closed: Promise<number>;
}

async function openRaw(baseUrl: string, name: string, sessionId: string, ack: number): Promise<Raw> {
  const url = `${baseUrl.replace(/^http/, 'ws')}/gateway/LUMENIZE_CLIENT_GATEWAY/${name}`;
  const ws = new WebSocket(url, ['lmz', `lmz.access-token.${makeToken(name.split('.')[0]!)}`, `lmz.resume.${sessionId}.${ack}`]);
  const inbox: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  ws.addEventListener('message', (e) => {
    inbox.push(JSON.parse(String(e.data)) as Record<string, unknown>);
    for (const w of waiters.splice(0)) w();
  });
  const closed = new Promise<number>((resolve) =>
    ws.addEventListener('close', (e) => {
      resolve(e.code);
      for (const w of waiters.splice(0)) w();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve());
    ws.addEventListener('error', () => reject(new Error(`could not connect to ${url}`)));
  });
  return {
    ws,
    closed,
    send: (frame) => ws.send(JSON.stringify(frame)),
    async next() {
      while (inbox.length === 0) {
        if (ws.readyState === WebSocket.CLOSED) throw new Error('socket closed while waiting for a frame');
        await new Promise<void>((r) => waiters.push(r));
      }
      return inbox.shift()!;
    },
  };
}

const persist = mkdtempSync(join(tmpdir(), 'lmz-restart-'));
let dev: WranglerDev | undefined;
const start = () => startWranglerDev({ cwd: join(import.meta.dirname, '..'), config: 'wrangler.jsonc', persistTo: persist, timeoutMs: 60_000 });

afterAll(async () => {
  await dev?.stop();
  rmSync(persist, { recursive: true, force: true });
});

describe('durable outbox across a wrangler dev restart', () => {
  it('replays every unacknowledged frame once, in order, answers the cut call with CallOutcomeUnknownError, and runs nothing twice', async () => {
    const name = `rex.restart${Date.now()}`;
    const sid = `restart-${crypto.randomUUID()}`;
    const stream = `restart-stream-${Date.now()}`;
    dev = await start();
    const sock = await openRaw(dev.url, name, sid, 0);
    expect(await sock.next()).toEqual({ type: 'connection_status', subscriptionsLost: false, resumed: false, ack: 0 });
    sock.send({ type: 'call', callId: 'c1', binding: 'STREAM', instance: stream, chain: serializeChain(newContinuation<Stream>().record(1)), seq: 1 });
    const answer = await sock.next();
    expect(answer).toMatchObject({ type: 'call_response', callId: 'c1', success: true, seq: 1 });
    // A DO pushes to the client while the client's call that asked for it is still in flight.
    sock.send({ type: 'call', callId: 'c2', binding: 'ECHO', instance: `restart-echo-${Date.now()}`, chain: serializeChain(newContinuation<Echo>().callMeBack('receive', [7])), seq: 2 });
    const push = await sock.next();
    expect(push).toMatchObject({ type: 'incoming_call', seq: 2 });
    // Nothing acknowledged, the push unanswered: restart the runtime with its storage.
    await dev.stop();
    expect(await sock.closed).not.toBe(1000);
    dev = await start();

    const again = await openRaw(dev.url, name, sid, 0);
    expect(await again.next()).toEqual({ type: 'connection_status', subscriptionsLost: false, resumed: true, ack: 2 });
    expect(await again.next()).toEqual(answer);
    expect(await again.next()).toEqual(push);
    const cut = await again.next();
    expect(cut).toMatchObject({ type: 'call_response', callId: 'c2', success: false, seq: 3 });
    const error = deserializeValue(cut.error as LmzIntermediate) as Error & { code?: string };
    expect([error.name, error.code]).toEqual(['CallOutcomeUnknownError', 'CALL_OUTCOME_UNKNOWN']);
    // The client answers the replayed push (its caller is gone: logged, ignored) and calls on.
    again.send({ type: 'incoming_call_response', callId: push.callId, success: true, result: serializeChain(7), seq: 3, ack: 3 });
    again.send({ type: 'call', callId: 'c3', binding: 'STREAM', instance: stream, chain: serializeChain(newContinuation<Stream>().received()), seq: 4, ack: 3 });
    const received = await again.next();
    expect(received).toMatchObject({ type: 'call_response', callId: 'c3', success: true, seq: 4 });
    expect(deserializeValue(received.result as LmzIntermediate)).toEqual([1]);
    again.ws.close(1000);
  }, 120_000);
});
