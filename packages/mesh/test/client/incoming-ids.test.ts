/**
 * Incoming call ids (mesh → client, src/gateway/incoming-calls.ts `nextId`): short decimal ids, never
 * handed out twice by one gateway, also across an eviction, so an answer to a frame sent before the
 * eviction (replayed from the outbox) can never settle a newer call.
 */
import { env, evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { serializeChain } from '../../src/envelope.ts';
import { debug } from '@lumenize/debug';
import { INCOMING_ID_BLOCK, IncomingCalls } from '../../src/gateway/incoming-calls.ts';

const CEILING_KEY = '__lmz_gateway_incoming_id_ceiling';
import { tab } from './helpers.ts';
import { openResume } from './outbox-helpers.ts';

describe('incoming call ids', () => {
  it('are short decimal counters, unique across an eviction: a late answer to a replayed call settles nothing newer', async () => {
    const name = `ida.${tab()}`;
    const sid = `ids-${crypto.randomUUID()}`;
    const gateway = env.LUMENIZE_CLIENT_GATEWAY.getByName(name);
    const echo = env.ECHO.getByName(`ids-echo-${tab()}`);
    const sock = await openResume(name, 'LUMENIZE_CLIENT_GATEWAY', sid, 0);
    expect(await sock.next()).toMatchObject({ type: 'connection_status', resumed: false });

    const first = echo.callClient('LUMENIZE_CLIENT_GATEWAY', name, 'receive', [1]);
    const stale = await sock.next();
    expect(stale).toMatchObject({ type: 'incoming_call', callId: '1', seq: 1 });
    // Answered (its caller finishes), but the client's ack never reaches the gateway: the frame stays
    // in the outbox through the eviction and is replayed on resume.
    sock.send({ type: 'incoming_call_response', callId: stale.callId, success: true, result: serializeChain('one'), seq: 1 });
    expect(await first).toEqual({ ok: true, value: 'one' });
    await evictDurableObject(gateway, { webSockets: 'close' });
    await sock.closed;

    const again = await openResume(name, 'LUMENIZE_CLIENT_GATEWAY', sid, 0);
    expect(await again.next()).toMatchObject({ type: 'connection_status', resumed: true });
    expect(await again.next()).toEqual(stale); // replayed as stored
    const second = echo.callClient('LUMENIZE_CLIENT_GATEWAY', name, 'receive', [2]);
    const fresh = await again.next();
    expect(fresh).toMatchObject({ type: 'incoming_call', seq: 2 });
    expect(fresh.callId).toMatch(/^[1-9]\d{0,15}$/);
    expect(fresh.callId).not.toBe(stale.callId);
    expect(Number(fresh.callId)).toBeGreaterThan(INCOMING_ID_BLOCK);

    // A client that runs the replayed frame again answers its old id: that answer is ignored, and the
    // new call takes only its own answer.
    again.send({ type: 'incoming_call_response', callId: stale.callId, success: true, result: serializeChain('stale'), seq: 2 });
    again.send({ type: 'incoming_call_response', callId: fresh.callId, success: true, result: serializeChain('fresh'), seq: 3, ack: 2 });
    expect(await second).toEqual({ ok: true, value: 'fresh' });
    again.ws.close(1000);
  });

  it('reserve a block per storage write; a gateway restarted over the same storage starts above the last block', async () => {
    const gateway = env.LUMENIZE_CLIENT_GATEWAY.getByName(`idb.${tab()}`);
    const seen = await runInDurableObject(gateway, (_instance, state) => {
      const log = debug('lmz.mesh.LumenizeClientGateway.webSocketMessage');
      const ceiling = () => state.storage.kv.get(CEILING_KEY);
      const calls = new IncomingCalls(log, state.storage.kv);
      const ids = Array.from({ length: INCOMING_ID_BLOCK }, () => calls.nextId());
      const afterBlock = ceiling();
      const next = calls.nextId();
      const afterNext = ceiling();
      const restarted = new IncomingCalls(log, state.storage.kv).nextId();
      return { first: ids[0], last: ids.at(-1), unique: new Set(ids).size, afterBlock, next, afterNext, restarted, afterRestart: ceiling() };
    });
    expect(seen).toEqual({
      first: '1',
      last: String(INCOMING_ID_BLOCK),
      unique: INCOMING_ID_BLOCK,
      afterBlock: INCOMING_ID_BLOCK,
      next: String(INCOMING_ID_BLOCK + 1),
      afterNext: 2 * INCOMING_ID_BLOCK,
      restarted: String(2 * INCOMING_ID_BLOCK + 1),
      afterRestart: 3 * INCOMING_ID_BLOCK,
    });
  });
});
