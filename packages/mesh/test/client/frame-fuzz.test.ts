/**
 * Seeded fuzzing of the gateway's frame handling inside workerd: the decoders on the same kind of
 * cases the Node run times (node/frame-fuzz.node.test.ts, 12,000 cases), and a sample of hostile
 * frames over a real socket to a real gateway. The socket stays open, the gateway answers the next
 * call after every frame, no prototype is polluted, and refused inputs change nothing stored: the
 * gateway's storage and a publisher's subscriber table are the same before and after.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { afterEach, describe, expect, it } from 'vitest';
import type { LmzIntermediate } from '@lumenize/structured-clone';
import { deserializeValue, serializeChain } from '../../src/envelope.ts';
import { newContinuation } from '../../src/ocan/continuation.ts';
import { checkCase, frameCases, prototypeSnapshot } from './frame-fuzz-cases.ts';
import { captureLogs, type CapturedLogs } from './captured-logs.ts';
import { openRaw, tab, until } from './helpers.ts';

describe('gateway frame decoders under seeded fuzzing (workerd)', () => {
  it('2,000 hostile frames: no crash, no disagreement with JSON.parse, prototypes untouched', () => {
    const before = prototypeSnapshot();
    const problems = frameCases(0x5eed, 2_000)
      .map((c) => [c, checkCase(c)] as const)
      .filter(([, p]) => p !== undefined)
      .map(([c, p]) => `${c.kind}: ${p}`);
    expect(problems.slice(0, 10)).toEqual([]);
    expect(prototypeSnapshot()).toBe(before);
  }, 60_000);
});

/** Everything a gateway could have stored: KV keys, SQL tables, the alarm. */
async function gatewayStorage(name: string): Promise<unknown> {
  return runInDurableObject(env.LUMENIZE_CLIENT_GATEWAY.getByName(name), async (_i, state) => ({
    kv: [...state.storage.kv.list()],
    tables: state.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
      .toArray()
      .map((r) => r.name)
      .filter((n) => !n.startsWith('_cf_')),
    alarm: await state.storage.getAlarm(),
  }));
}

/** Subscribe requests a publisher must refuse (bad topic or id types and sizes, a refused topic). */
const REFUSED_SUBSCRIBES: unknown[][] = [
  [123, 'id-1'],
  ['', 'id-2'],
  ['news'.padEnd(300, 'x'), 'id-3'],
  ['news', ''],
  ['news', 'x'.repeat(200)],
  ['news', { __proto__: { polluted: true } }],
  ['secrets', 'id-4'],
  [['news'], 'id-5'],
];

/** What the gateway logs when it refuses a fuzzed frame (each at warn). */
const REFUSAL_WARNINGS = ['malformed frame ignored', 'unexpected incoming_call_response ignored', 'invalid incoming_call_response answered as an error'];

describe('gateway under hostile frames over a real socket', () => {
  let logs: CapturedLogs | undefined;
  afterEach(() => logs?.stop());

  it('a seeded sample of 400 frames: the socket stays open, every next call is answered, nothing stored changes', async () => {
    const captured = (logs = captureLogs());
    const protoBefore = prototypeSnapshot();
    const name = `fuzz.${tab()}`;
    const news = `news-${tab()}`;
    // A publisher with one legitimate subscriber row, which refused subscribes must leave alone.
    const reader = env.READER.getByName(`reader-${tab()}`);
    await reader.follow('NEWS', news, 'news');
    await until(async () => (await env.NEWS.getByName(news).subscriberCount('news')) === 1, 'reader admitted');
    const rowsBefore = await runInDurableObject(env.NEWS.getByName(news), (_i, state) => state.storage.sql.exec('SELECT * FROM __lmz_subscribers').toArray());

    const sock = await openRaw(name);
    await sock.next('connection_status');
    const storageBefore = await gatewayStorage(name);

    const cases = frameCases(0xf422, 400).map((c) => c.text);
    for (const args of REFUSED_SUBSCRIBES) {
      const chain = serializeChain(newContinuation<Record<string, (...a: unknown[]) => void>>().__lmzSubscribe(...args));
      cases.push(JSON.stringify({ type: 'call', callId: `sub-${cases.length}`, binding: 'NEWS', instance: news, chain }));
    }
    let worst = { ms: 0, kb: 0 };
    let worstPerKb = 0;
    for (const [i, text] of cases.entries()) {
      const started = Date.now();
      sock.sendText(text);
      // The gateway handles frames in order: the answer to the next call proves this one was handled.
      sock.send({ type: 'call', callId: `sync-${i}`, binding: 'ECHO', instance: 'fuzz-sync', chain: serializeChain(newContinuation<{ echo(v: unknown): unknown }>().echo(i)) });
      let answer: Record<string, unknown>;
      do answer = await sock.next('call_response');
      while (answer.callId !== `sync-${i}`);
      expect(deserializeValue(answer.result as LmzIntermediate), `after case ${i}`).toBe(i);
      const ms = Date.now() - started;
      const kb = Math.max(1, text.length / 1024);
      if (ms > worst.ms) worst = { ms, kb };
      worstPerKb = Math.max(worstPerKb, ms / kb);
    }
    console.log(`frame fuzz (socket): ${cases.length} frames; worst round trip ${worst.ms} ms (${worst.kb.toFixed(0)} KB); worst ${worstPerKb.toFixed(2)} ms/KB`);

    expect(sock.ws.readyState).toBe(WebSocket.OPEN);
    // A refused subscribe goes to another DO than the sync echo, so its answer may come after it.
    const refusedSoFar = () => sock.messages.filter((m) => typeof m.callId === 'string' && m.callId.startsWith('sub-'));
    await until(() => refusedSoFar().length >= REFUSED_SUBSCRIBES.length, 'every refused subscribe answered');
    const refused = refusedSoFar();
    expect(refused).toHaveLength(REFUSED_SUBSCRIBES.length);
    expect(refused.every((m) => m.success === false)).toBe(true);
    expect(await gatewayStorage(name)).toEqual(storageBefore);
    expect(await runInDurableObject(env.NEWS.getByName(news), (_i, state) => state.storage.sql.exec('SELECT * FROM __lmz_subscribers').toArray())).toEqual(rowsBefore);
    expect(prototypeSnapshot()).toBe(protoBefore);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // Every refusal was logged as an expected warning, nothing else.
    expect(captured.count('malformed frame ignored')).toBeGreaterThan(0);
    expect(captured.unexpected(REFUSAL_WARNINGS)).toEqual([]);
    sock.ws.close(1000);
  }, 120_000);
});
