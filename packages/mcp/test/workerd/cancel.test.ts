/**
 * Cancellation (`notifications/cancelled`) over raw Streamable HTTP in workerd. Acceptance map
 * (brief item 3): 'a streamed tools/call cancelled…', 'a JSON tools/call cancelled…', 'cancels for
 * unknown…'.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { open, openGet, post, send, sse } from './helpers.ts';

const lastCancel = (sessionId: string) => runInDurableObject(env.MCP_SESSION.getByName(sessionId), (_i, ctx) => ctx.storage.kv.get<string>('last.cancel'));
const cancel = (requestId: unknown, reason?: string) => ({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId, ...(reason ? { reason } : {}) } });

describe('cancellation', () => {
  it('a streamed tools/call cancelled mid-run: the tool sees extra.signal abort with the reason; no response is sent; the stream ends', async () => {
    const { sessionId, bearer } = await open();
    const res = await send(bearer, sessionId, { body: { jsonrpc: '2.0', id: 'job-1', method: 'tools/call', params: { name: 'waitForCancel', arguments: {}, _meta: { progressToken: 't' } } } });
    const stream = sse(res);
    const started = await stream.next();
    expect(started?.data).toMatchObject({ method: 'notifications/progress', params: { progressToken: 't', progress: 0, message: 'waiting' } });
    expect((await post(cancel('job-1', 'user pressed stop'), { bearer, sessionId })).status).toBe(202);
    expect(await stream.rest()).toEqual([]);
    expect(await lastCancel(sessionId)).toBe('CancelledError: Cancelled by the client: user pressed stop');
    // Nothing was stored for the cancelled request either: a resume has nothing to replay.
    expect((await openGet(bearer, sessionId, started?.id)).status).toBe(204);
  });

  it('a resume of a still-running call attaches to it: the resumed stream is the call\'s stream and ends with it', async () => {
    const { sessionId, bearer } = await open();
    const dropped = sse(await send(bearer, sessionId, { body: { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'waitForCancel', arguments: {}, _meta: { progressToken: 7 } } } }));
    const started = await dropped.next();
    await dropped.cancel();
    const resumed = await openGet(bearer, sessionId, started?.id);
    expect(resumed.status).toBe(200); // attached (a finished call with nothing left would be 204)
    await post(cancel(7), { bearer, sessionId });
    expect(await sse(resumed).rest()).toEqual([]);
    expect(await lastCancel(sessionId)).toBe('CancelledError: Cancelled by the client');
  });

  it('a JSON tools/call cancelled: answered with an empty event stream and no response', async () => {
    const { sessionId, bearer } = await open();
    const notices = sse(await openGet(bearer, sessionId));
    const pending = send(bearer, sessionId, { body: { jsonrpc: '2.0', id: 41, method: 'tools/call', params: { name: 'waitForCancel', arguments: {} } } });
    // The tool announces itself on the GET stream: only then is it in flight.
    expect((await notices.next())?.data).toMatchObject({ method: 'notifications/message', params: { data: 'waiting 41' } });
    await post(cancel(41), { bearer, sessionId });
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('text/event-stream');
    expect(await res.text()).toBe('');
    expect(await lastCancel(sessionId)).toBe('CancelledError: Cancelled by the client');
    await notices.cancel();
  });

  it('cancels for unknown, finished or malformed requests are ignored (202) and the session keeps working', async () => {
    const { sessionId, bearer } = await open();
    expect((await post({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'add', arguments: { a: 1, b: 1 } } }, { bearer, sessionId })).body?.result).toMatchObject({ content: [{ text: '2' }] });
    for (const message of [cancel(1), cancel(999), cancel({ nested: true }), { jsonrpc: '2.0', method: 'notifications/cancelled' }]) {
      expect((await post(message, { bearer, sessionId })).status).toBe(202);
    }
    expect((await post({ jsonrpc: '2.0', id: 2, method: 'ping' }, { bearer, sessionId })).body?.result).toEqual({});
    expect(await lastCancel(sessionId)).toBeUndefined();
  });
});
