/**
 * The GET stream, resumability and resource subscriptions, over raw Streamable HTTP in workerd.
 * Acceptance map (issue 20 / brief items 1, 2, 4): GET stream → 'GET opens…', 'bad GETs…';
 * resume → 'a dropped GET stream…', 'a POST stream dropped mid-progress…', 'Last-Event-ID that is
 * unknown…'; bounds → 'stored events are capped…'; subscriptions → 'resources/subscribe…',
 * 'subscribe refuses…'; cleanup → 'DELETE forgets…'.
 */
import { env, evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { EVENT_TTL_MS, MAX_STORED_EVENTS } from '../../src/index.ts';
import { EventStore } from '../../src/event-store.ts';
import type { McpSessionDO } from '../nodes.ts';
import { call, initialize, open, openGet, post, send, sse, token } from './helpers.ts';

/** Stored events of a session (the table is created on first use: none yet is 0). */
const count = (sessionId: string) =>
  runInDurableObject(env.MCP_SESSION.getByName(sessionId), (_i, ctx) => {
    const exists = ctx.storage.sql.exec("SELECT 1 FROM sqlite_master WHERE name = 'lmz_mcp_events'").toArray().length > 0;
    return exists ? ctx.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM lmz_mcp_events').one().n : 0;
  });

async function subscribe(bearer: string, sessionId: string, uri: string, id = 11): Promise<void> {
  const reply = await post({ jsonrpc: '2.0', id, method: 'resources/subscribe', params: { uri } }, { bearer, sessionId });
  expect(reply.body).toEqual({ jsonrpc: '2.0', id, result: {} });
}

describe('GET stream', () => {
  it('GET opens the standalone stream; server notifications arrive on it with ids', async () => {
    const { sessionId, bearer } = await open();
    const res = await openGet(bearer, sessionId);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('text/event-stream');
    expect(res.headers.get('Mcp-Session-Id')).toBe(sessionId);
    const stream = sse(res);
    await subscribe(bearer, sessionId, 'test://a');
    expect((await post(call(1, 'touch', { uri: 'test://a' }), { bearer, sessionId })).body?.result).toMatchObject({ structuredContent: { notified: true } });
    const event = await stream.next();
    expect(event?.id).toMatch(/^\d+$/);
    expect(event?.data).toEqual({ jsonrpc: '2.0', method: 'notifications/resources/updated', params: { uri: 'test://a' } });
    await stream.cancel();
  });

  it('notifications sent while no GET stream is open arrive first when one opens (once)', async () => {
    const { sessionId, bearer } = await open();
    await subscribe(bearer, sessionId, 'test://a');
    await subscribe(bearer, sessionId, 'test://b', 12);
    await post(call(1, 'touch', { uri: 'test://a' }), { bearer, sessionId });
    await post(call(2, 'touch', { uri: 'test://b' }), { bearer, sessionId });
    const stream = sse(await openGet(bearer, sessionId));
    expect([(await stream.next())?.data.params, (await stream.next())?.data.params]).toEqual([{ uri: 'test://a' }, { uri: 'test://b' }]);
    // Then live, and the waiting ones are not repeated.
    await post(call(3, 'touch', { uri: 'test://b' }), { bearer, sessionId });
    expect((await stream.next())?.data.params).toEqual({ uri: 'test://b' });
    expect(await runInDurableObject(env.MCP_SESSION.getByName(sessionId), (_i, ctx) => ctx.storage.kv.get('lmz.mcp.undeliveredFrom'))).toBeUndefined();
    await stream.cancel();
  });

  it('bad GETs: no text/event-stream in Accept → 406; a second stream → 409; unknown session → 404; no session → 400; another user → 403', async () => {
    const { sessionId, bearer } = await open();
    const notSse = await send(bearer, sessionId, { headers: { Accept: 'application/json' } });
    expect(notSse.status).toBe(406);
    await notSse.body?.cancel();
    const first = await openGet(bearer, sessionId);
    const second = await openGet(bearer, sessionId);
    expect(second.status).toBe(409);
    expect(await second.json()).toMatchObject({ error: { code: -32600, message: expect.stringContaining('already has a GET stream') } });
    await sse(first).cancel();
    const unknown = await openGet(bearer, crypto.randomUUID());
    expect(unknown.status).toBe(404);
    await unknown.body?.cancel();
    const { SELF } = await import('cloudflare:test');
    const none = await SELF.fetch('https://mcp.test/mcp', { headers: { Accept: 'text/event-stream', Authorization: `Bearer ${bearer}` } });
    expect(none.status).toBe(400);
    await none.body?.cancel();
    const bob = await openGet(await token('bob'), sessionId);
    expect(bob.status).toBe(403);
    await bob.body?.cancel();
  });
});

describe('resumability (Last-Event-ID)', () => {
  it('a dropped GET stream is resumed: the missed events are replayed exactly once, in order, then it goes live', async () => {
    const { sessionId, bearer } = await open();
    await subscribe(bearer, sessionId, 'test://a');
    await subscribe(bearer, sessionId, 'test://b', 12);
    const first = sse(await openGet(bearer, sessionId));
    await post(call(1, 'touch', { uri: 'test://a' }), { bearer, sessionId });
    const seen = await first.next();
    await first.cancel(); // the connection drops
    await post(call(2, 'touch', { uri: 'test://b' }), { bearer, sessionId });
    await post(call(3, 'touch', { uri: 'test://a' }), { bearer, sessionId });
    const resumed = sse(await openGet(bearer, sessionId, seen?.id));
    const missed = [await resumed.next(), await resumed.next()];
    expect(missed.map((e) => e?.data.params)).toEqual([{ uri: 'test://b' }, { uri: 'test://a' }]);
    await post(call(4, 'touch', { uri: 'test://b' }), { bearer, sessionId });
    const live = await resumed.next();
    expect(live?.data.params).toEqual({ uri: 'test://b' });
    const ids = [seen, ...missed, live].map((e) => Number(e?.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(4);
    await resumed.cancel();
  });

  it('a POST stream dropped mid-progress resumes on GET with no event lost; a resume with nothing left is 204', async () => {
    const { sessionId, bearer } = await open();
    const res = await send(bearer, sessionId, { body: { jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'count', arguments: { n: 4 }, _meta: { progressToken: 'p' } } } });
    const dropped = sse(res);
    const firstTwo = [await dropped.next(), await dropped.next()];
    await dropped.cancel();
    expect(firstTwo.map((e) => e?.data.params?.progress)).toEqual([1, 2]);
    const resumed = await openGet(bearer, sessionId, firstTwo[1]?.id);
    expect(resumed.status).toBe(200);
    const rest = await sse(resumed).rest();
    expect(rest.map((e) => e.data.params?.progress ?? e.data.result)).toEqual([3, 4, { content: [{ type: 'text', text: 'counted to 4' }] }]);
    expect(rest.at(-1)?.data.id).toBe(9);
    const done = await openGet(bearer, sessionId, rest.at(-1)?.id);
    expect(done.status).toBe(204);
  });

  it('events live in DO storage: after the session DO is evicted, a resume still replays what was missed', async () => {
    const { sessionId, bearer } = await open();
    await subscribe(bearer, sessionId, 'test://a');
    const first = sse(await openGet(bearer, sessionId));
    await post(call(1, 'touch', { uri: 'test://a' }), { bearer, sessionId });
    const seen = await first.next();
    await first.cancel();
    await post(call(2, 'touch', { uri: 'test://a' }), { bearer, sessionId });
    await evictDurableObject(env.MCP_SESSION.getByName(sessionId));
    const resumed = sse(await openGet(bearer, sessionId, seen?.id));
    const missed = await resumed.next();
    expect(missed?.data).toEqual({ jsonrpc: '2.0', method: 'notifications/resources/updated', params: { uri: 'test://a' } });
    expect(Number(missed?.id)).toBeGreaterThan(Number(seen?.id));
    await resumed.cancel();
  });

  it('a Last-Event-ID that is unknown, malformed or already pruned → 400 naming the replay window', async () => {
    const { sessionId, bearer } = await open();
    for (const last of ['999999', 'abc', '-1']) {
      const res = await openGet(bearer, sessionId, last);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain(`replay window (${MAX_STORED_EVENTS} events, 10 min)`);
    }
  });

  it('stored events are capped at MAX_STORED_EVENTS rows and EVENT_TTL_MS age; a pruned id cannot be resumed', async () => {
    const { sessionId, bearer } = await open();
    const stub = env.MCP_SESSION.getByName(sessionId);
    const firstId = await runInDurableObject(stub, (instance: McpSessionDO, ctx) => {
      instance.svc.mcp.notify('notifications/message', { level: 'info', data: 'first' });
      const id = ctx.storage.sql.exec<{ seq: number }>('SELECT MIN(seq) AS seq FROM lmz_mcp_events').one().seq;
      for (let i = 0; i < MAX_STORED_EVENTS; i++) instance.svc.mcp.notify('notifications/message', { level: 'info', data: i });
      return id;
    });
    expect(await count(sessionId)).toBe(MAX_STORED_EVENTS);
    const pruned = await openGet(bearer, sessionId, String(firstId));
    expect(pruned.status).toBe(400);
    await pruned.body?.cancel();
    // Age, on the store itself with a driven clock.
    const ages = await runInDurableObject(stub, (_i, ctx) => {
      const store = new EventStore(ctx.storage.sql);
      store.clear();
      const old = store.append('s', '{}', 0);
      store.append('s', '{}', EVENT_TTL_MS - 1);
      const before = store.count();
      const visible = store.streamOf(old, EVENT_TTL_MS); // exactly TTL old: still replayable
      store.append('s', '{}', EVENT_TTL_MS + 1); // the first is now older than the TTL
      return { before, visible, after: store.count(), gone: store.streamOf(old, EVENT_TTL_MS + 1) };
    });
    expect(ages).toEqual({ before: 2, visible: 's', after: 2, gone: undefined });
  });
});

describe('resource subscriptions', () => {
  it('resources/subscribe is stored with its request id; unsubscribe stops notifications; capability declared', async () => {
    const bearer = await token('alice');
    const init = await post(initialize(), { bearer });
    expect(init.body?.result?.capabilities).toMatchObject({ resources: { subscribe: true, listChanged: false } });
    const sessionId = init.sessionId!;
    await subscribe(bearer, sessionId, 'test://a', 'sub-1' as unknown as number);
    await subscribe(bearer, sessionId, 'test://a', 77); // again: the original request id is kept
    const stub = env.MCP_SESSION.getByName(sessionId);
    expect(await runInDurableObject(stub, (i: McpSessionDO) => i.svc.mcp.subscriptions())).toEqual([{ uri: 'test://a', requestId: 'sub-1' }]);
    expect((await post({ jsonrpc: '2.0', id: 2, method: 'resources/unsubscribe', params: { uri: 'test://a' } }, { bearer, sessionId })).body?.result).toEqual({});
    expect((await post(call(3, 'touch', { uri: 'test://a' }), { bearer, sessionId })).body?.result).toMatchObject({ structuredContent: { notified: false } });
    expect(await count(sessionId)).toBe(0);
  });

  it('subscribe refuses an unknown resource (-32002) and a missing or oversized uri (-32602); resourceChanged refuses a bad uri', async () => {
    const { sessionId, bearer } = await open();
    expect((await post({ jsonrpc: '2.0', id: 1, method: 'resources/subscribe', params: { uri: 'test://nope' } }, { bearer, sessionId })).body?.error).toMatchObject({ code: -32002 });
    expect((await post({ jsonrpc: '2.0', id: 2, method: 'resources/subscribe', params: {} }, { bearer, sessionId })).body?.error).toMatchObject({ code: -32602 });
    expect((await post({ jsonrpc: '2.0', id: 3, method: 'resources/subscribe', params: { uri: 'x'.repeat(2049) } }, { bearer, sessionId })).body?.error).toMatchObject({ code: -32602 });
    const thrown = await runInDurableObject(env.MCP_SESSION.getByName(sessionId), (i: McpSessionDO) => {
      try {
        i.svc.mcp.resourceChanged('' as string);
        return 'no error';
      } catch (error) {
        return (error as Error).message;
      }
    });
    expect(thrown).toBe('resourceChanged(uri): uri must be a non-empty string');
  });

  it('DELETE forgets the session, its stored events and its subscriptions', async () => {
    const { sessionId, bearer } = await open();
    await subscribe(bearer, sessionId, 'test://a');
    await post(call(1, 'touch', { uri: 'test://a' }), { bearer, sessionId });
    expect(await count(sessionId)).toBe(1);
    expect((await send(bearer, sessionId, { method: 'DELETE' })).status).toBe(204);
    expect(await count(sessionId)).toBe(0);
    const subs = await runInDurableObject(env.MCP_SESSION.getByName(sessionId), (_i, ctx) => ctx.storage.sql.exec('SELECT * FROM lmz_mcp_subscriptions').toArray().length);
    expect(subs).toBe(0);
  });
});
