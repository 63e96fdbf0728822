/**
 * SQLite rows the gateway writes per client call (issue 18: "cut row writes in the outbox to ~1 per
 * frame"). The gateway's storage calls are counted with each statement's own `rowsWritten`, so the
 * numbers are exact and the test deterministic: one batch of N calls in, one batch of answers out,
 * and the client's ack that empties the outbox. A push costs its outbox row, then the client's answer
 * (which carries the ack) deletes it and stores the counters; a fresh gateway instance continues the
 * seqs after an emptied outbox rather than reusing them.
 */
import { env, evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { afterEach, describe, expect, it } from 'vitest';
import type { LumenizeClient } from '../../src/client/index.ts';
import { tab, until } from './helpers.ts';
import { TestClient, connected, makeClient } from './test-client.ts';
import type { EchoDO } from './worker.ts';

const live: LumenizeClient[] = [];
afterEach(() => {
  for (const c of live.splice(0)) c.disconnect();
});

/** Counts the rows written by every statement the gateway's SqlStorage runs from now on. */
async function countWrites(gateway: DurableObjectStub): Promise<{ rows(): number; statements(): string[] }> {
  const cursors: Array<{ sql: string; cursor: SqlStorageCursor<Record<string, SqlStorageValue>> }> = [];
  await runInDurableObject(gateway, (_instance, state) => {
    const sql = state.storage.sql;
    const exec = sql.exec.bind(sql);
    Object.defineProperty(sql, 'exec', {
      configurable: true,
      value: (query: string, ...bindings: unknown[]) => {
        const cursor = exec(query, ...bindings);
        cursors.push({ sql: query, cursor });
        return cursor;
      },
    });
  });
  return {
    rows: () => cursors.reduce((n, c) => n + c.cursor.rowsWritten, 0),
    statements: () => cursors.filter((c) => c.cursor.rowsWritten > 0).map((c) => `${c.cursor.rowsWritten} ${c.sql.split(' ').slice(0, 3).join(' ')}`),
  };
}

async function outboxRows(gateway: DurableObjectStub): Promise<number> {
  return runInDurableObject(gateway, (_i, state) => Number(state.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM __lmz_gateway_outbox').one().n));
}

describe('outbox row writes', () => {
  for (const calls of [1, 32]) {
    it(`${calls} batched call(s): the gateway writes a few rows per frame, not rows per call`, async () => {
      const made = makeClient(TestClient, 'rowan', { callTimeoutMs: 60_000 });
      live.push(made.client);
      await connected(made.client);
      const gateway = env.LUMENIZE_CLIENT_GATEWAY.getByName(made.instanceName);
      const writes = await countWrites(gateway);
      const target = `rows-${tab()}`;
      const echo = made.client.ctn<EchoDO>();
      const answers = await Promise.all(Array.from({ length: calls }, (_, i) => made.client.lmz.callRaw('ECHO', target, echo.echo(i))));
      expect(answers).toEqual(Array.from({ length: calls }, (_, i) => i));
      // The client's ack (after its short coalescing delay) empties the outbox.
      await until(async () => (await outboxRows(gateway)) === 0, 'the answers acknowledged');
      const rows = writes.rows();
      // One frame in, one frame out, one ack: counters + owed calls in one row per inbound frame,
      // the answer frame's row, and its deletion on the ack; plus, on a target's first use, the
      // row of its interned name (compact wire, docs/mesh-clients.md "Wire format").
      expect(rows, writes.statements().join('; ')).toBeLessThanOrEqual(5);
    });
  }

  it('a push (DO → client call): 3 rows; after an eviction with an empty outbox the next push gets a fresh seq and is answered', async () => {
    const made = makeClient(TestClient, 'rowena', { callTimeoutMs: 60_000 });
    live.push(made.client);
    await connected(made.client);
    const gateway = env.LUMENIZE_CLIENT_GATEWAY.getByName(made.instanceName);
    const caller = env.ECHO.getByName(`rows-push-${tab()}`);
    const writes = await countWrites(gateway);
    expect(await caller.callClient('LUMENIZE_CLIENT_GATEWAY', made.instanceName, 'ping', [1])).toEqual({ ok: true, value: 'pong 1' });
    await until(async () => (await outboxRows(gateway)) === 0, 'the push acknowledged');
    expect(writes.rows(), writes.statements().join('; ')).toBeLessThanOrEqual(3);
    // A fresh instance reads the stored session: a reused seq would be dropped by the client as a duplicate.
    await evictDurableObject(gateway, { webSockets: 'hibernate' });
    expect(await caller.callClient('LUMENIZE_CLIENT_GATEWAY', made.instanceName, 'ping', [2])).toEqual({ ok: true, value: 'pong 2' });
    expect(await caller.callClient('LUMENIZE_CLIENT_GATEWAY', made.instanceName, 'ping', [3])).toEqual({ ok: true, value: 'pong 3' });
  });
});
