/**
 * proxy(): the happy paths and result shapes (spec fetch §9 items 1–7, 11–15, 20, 26–28, 32, 33).
 * Every upstream is the in-process TestEndpointsDO reached through `outboundBinding` (offline).
 */
import { env } from 'cloudflare:test';
import { runNextAlarm, testClock } from '@lumenize/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { checksum, endpointUrl } from './nodes.ts';
import { deliveriesOf, endpoints, holding, logged, mark, OFFLINE, origin, unique, until } from './helpers.ts';

afterEach(() => testClock.reset());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('proxy: request ids and results', () => {
  it('item 1: returns a UUID synchronously; a caller-supplied reqId is returned verbatim', async () => {
    const name = unique('p1');
    const id = await origin(name).proxyTo(endpointUrl(name, '/uuid'), { tag: 'a' }, OFFLINE);
    expect(id).toMatch(UUID);
    const mine = await origin(name).proxyTo(endpointUrl(name, '/uuid'), { tag: 'b' }, OFFLINE, 'my-request-7');
    expect(mine).toBe('my-request-7');
    await deliveriesOf(name, 'a');
    await deliveriesOf(name, 'b');
  });

  it('item 2: /uuid delivers a ResponseSync with ok, 200 and json().uuid; count 1', async () => {
    const name = unique('p2');
    await origin(name).proxyTo(endpointUrl(name, '/uuid'), { tag: 't' }, OFFLINE);
    const [d] = await deliveriesOf(name, 't');
    expect(d).toMatchObject({ kind: 'response', ok: true, status: 200 });
    expect(JSON.parse(d.text!).uuid).toMatch(UUID);
    expect(await endpoints(name).requestCount()).toBe(1);
    expect(await origin(name).deliveries('t')).toHaveLength(1);
  });

  it('item 3: a RequestSync POST with a JSON body and a custom header is echoed', async () => {
    const name = unique('p3');
    await origin(name).proxyRequest(
      { url: endpointUrl(name, '/echo'), method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Custom-Thing': 'Yes' }, body: JSON.stringify({ a: 1, b: [true] }) },
      { tag: 't' },
      OFFLINE,
    );
    const [d] = await deliveriesOf(name, 't');
    const echoed = JSON.parse(d.text!);
    expect(echoed.json).toEqual({ a: 1, b: [true] });
    expect(echoed.headers['x-custom-thing']).toBe('Yes');
    expect(echoed.headers['content-type']).toBe('application/json');
  });

  it('item 4: /status/404 is a ResponseSync with ok false, 404 Not Found — not an Error', async () => {
    const name = unique('p4');
    await origin(name).proxyTo(endpointUrl(name, '/status/404'), { tag: 't' }, OFFLINE);
    const [d] = await deliveriesOf(name, 't');
    expect(d).toMatchObject({ kind: 'response', ok: false, status: 404, statusText: 'Not Found' });
  });

  it('item 5: /status/500 is a ResponseSync with status 500', async () => {
    const name = unique('p5');
    await origin(name).proxyTo(endpointUrl(name, '/status/500'), { tag: 't' }, OFFLINE);
    const [d] = await deliveriesOf(name, 't');
    expect(d).toMatchObject({ kind: 'response', ok: false, status: 500 });
  });

  it('item 6: an unresolvable host delivers a definite Error (not a FetchTimeoutError); count 1', async () => {
    const name = unique('p6');
    // No outboundBinding: the executor's global fetch to a reserved, never-resolvable name.
    await origin(name).proxyTo('https://no-such-host.invalid/x', { tag: 't' });
    const [d] = await deliveriesOf(name, 't');
    expect(d).toMatchObject({ kind: 'error', isTimeout: false });
    expect(d.errorName).not.toBe('FetchTimeoutError');
    expect(await origin(name).deliveries('t')).toHaveLength(1);
  });

  it('item 7: timeout 500 against a held upstream delivers an abort Error; count 1', async () => {
    const name = unique('p7');
    // The executor's own abort timer is what is under test; the upstream never answers in time.
    await origin(name).proxyTo(endpointUrl(name, '/hold/never'), { tag: 't' }, { ...OFFLINE, timeout: 500 });
    const [d] = await deliveriesOf(name, 't');
    expect(d).toMatchObject({ kind: 'error', errorName: 'AbortError', isTimeout: false });
    expect(d.message).toContain('abort');
    expect(await origin(name).deliveries('t')).toHaveLength(1);
    await endpoints(name).release('never');
  });

  // Single-row layout (spec §8): the request's watchdog entry is the deadline inside its pending
  // record, and the one shared watchdog schedule sits at the earliest deadline (`getSchedule(reqId)`
  // of the spec's wording is `deadline(reqId)` plus `watchdog()` here).
  it('item 11: the watchdog time is now + timeout + grace and the pending key exists; both go on delivery', async () => {
    const name = unique('p11');
    const stub = origin(name);
    const since = mark();
    const { id, before, after, deadline, watchdog, pending } = await stub.proxyAndInspect(endpointUrl(name, '/hold/k'), { tag: 't' }, { ...OFFLINE, timeout: 4_000, watchdogGraceMs: 700 });
    // The deadline is exactly what the service computed from its own clock reading in that turn…
    const dispatched = await logged('lmz.fetch.Fetch.proxy', 'debug', (r) => r.message === 'dispatched' && (r.data as { reqId?: string }).reqId === id, since);
    expect(dispatched.data).toMatchObject({ watchdogInMs: 4_700 });
    expect(deadline).toBe((dispatched.data as { watchdogAt: number }).watchdogAt);
    // …and that reading lies within the calling method's turn (now + timeout + grace).
    expect(deadline! - 4_700).toBeGreaterThanOrEqual(before);
    expect(deadline! - 4_700).toBeLessThanOrEqual(after);
    // The only request of this DO: the shared watchdog is armed at its deadline.
    expect(watchdog).toBe(deadline);
    expect(pending).toBe(true);
    expect(await stub.storageRows()).toEqual({ pending: 1, idempotency: 0, alarms: 0 });
    await holding(name, 'k');
    await endpoints(name).release('k');
    await deliveriesOf(name, 't');
    expect(await stub.hasPending(id)).toBe(false);
    expect(await stub.deadline(id)).toBeUndefined();
    expect(await stub.storageRows()).toEqual({ pending: 0, idempotency: 0, alarms: 0 });
    // Settling wrote nothing to the schedule; when it fires it finds nothing due and ends.
    expect(await stub.watchdog()).toBe(deadline);
    expect((await runNextAlarm(stub)).ran).toBe(true);
    expect(await stub.deliveries('t')).toHaveLength(1);
    expect(await stub.watchdog()).toBeNull();
  });

  it('single-row layout: a later deadline leaves the armed watchdog alone; an earlier one moves it; each fires on time', async () => {
    const name = unique('p11b');
    const stub = origin(name);
    const slow = await stub.proxyAndInspect(endpointUrl(name, '/hold/a'), { tag: 'a' }, { ...OFFLINE, timeout: 10_000 });
    const later = await stub.proxyAndInspect(endpointUrl(name, '/hold/b'), { tag: 'b' }, { ...OFFLINE, timeout: 20_000 });
    expect(later.watchdog).toBe(slow.deadline);
    const sooner = await stub.proxyAndInspect(endpointUrl(name, '/hold/c'), { tag: 'c' }, { ...OFFLINE, timeout: 1_000 });
    expect(sooner.watchdog).toBe(sooner.deadline);
    await Promise.all(['a', 'b', 'c'].map((k) => holding(name, k)));
    // Virtual clock → each deadline in turn: one timeout per run, earliest first, the schedule moving on.
    expect((await runNextAlarm(stub)).ran).toBe(true);
    expect((await stub.deliveries('c')).map((d) => d.errorName)).toEqual(['FetchTimeoutError']);
    expect(await stub.watchdog()).toBe(slow.deadline);
    expect((await runNextAlarm(stub)).ran).toBe(true);
    expect((await stub.deliveries('a')).map((d) => d.errorName)).toEqual(['FetchTimeoutError']);
    expect(await stub.watchdog()).toBe(later.deadline);
    expect((await runNextAlarm(stub)).ran).toBe(true);
    expect((await stub.deliveries('b')).map((d) => d.errorName)).toEqual(['FetchTimeoutError']);
    expect(await stub.watchdog()).toBeNull();
    expect(await stub.storageRows()).toEqual({ pending: 0, idempotency: 0, alarms: 0 });
    for (const k of ['a', 'b', 'c']) await endpoints(name).release(k);
  });

  it('item 12: a $result marker in the first position receives the result; context stays in place', async () => {
    const name = unique('p12');
    await origin(name).proxyFirst(endpointUrl(name, '/json'), { tag: 't', userId: 'u1' }, OFFLINE);
    const [d] = await deliveriesOf(name, 't');
    expect(d).toMatchObject({ position: 'first', kind: 'response', status: 200, ctx: { tag: 't', userId: 'u1' } });
  });

  it('item 13: without a marker the result is appended after the context object', async () => {
    const name = unique('p13');
    await origin(name).proxyNoMarker(endpointUrl(name, '/uuid'), { tag: 't', userId: 'u9', index: 3 }, OFFLINE);
    const [d] = await deliveriesOf(name, 't');
    expect(d).toMatchObject({ position: 'last', kind: 'response', status: 200, ctx: { tag: 't', userId: 'u9', index: 3 } });
  });

  it('item 14: ten parallel proxies each deliver exactly once with their own context', async () => {
    const name = unique('p14');
    // Released in reverse order: completion order differs from call order.
    const urls = Array.from({ length: 10 }, (_, i) => endpointUrl(name, `/hold/h${i}`));
    const ids = await origin(name).proxyMany(urls, 't', OFFLINE);
    expect(new Set(ids).size).toBe(10);
    for (let i = 9; i >= 0; i--) {
      await holding(name, `h${i}`);
      await endpoints(name).release(`h${i}`);
    }
    const all = await deliveriesOf(name, 't', 10);
    expect(all).toHaveLength(10);
    const byIndex = all.map((d) => [d.ctx.index, JSON.parse(d.text!).hold]).sort((a, b) => Number(a[0]) - Number(b[0]));
    expect(byIndex).toEqual(Array.from({ length: 10 }, (_, i) => [i, `h${i}`]));
  });

  it('item 15: a retry pattern (proxy again on 5xx with attempt + 1) stops at the max attempts', async () => {
    const name = unique('p15');
    await origin(name).proxyRetry(endpointUrl(name, '/status/503'), { tag: 't', attempt: 1, max: 3 }, OFFLINE);
    const all = await deliveriesOf(name, 't', 3);
    expect(all.map((d) => d.ctx.attempt)).toEqual([1, 2, 3]);
    expect(all.every((d) => d.status === 503)).toBe(true);
    expect(await endpoints(name).requestCount()).toBe(3);
    expect(await origin(name).storageRows()).toEqual({ pending: 0, idempotency: 0, alarms: 0 });
  });

  it('item 20: a correctly bound custom executorBinding delivers', async () => {
    const name = unique('p20');
    await origin(name).proxyTo(endpointUrl(name, '/uuid'), { tag: 't' }, { ...OFFLINE, executorBinding: 'OTHER_EXECUTOR' });
    const [d] = await deliveriesOf(name, 't');
    expect(d).toMatchObject({ kind: 'response', status: 200 });
  });
});

describe('proxy: bodies, redirects, offline routing', () => {
  it('item 26: text() and json() are synchronous; arrayBuffer() equals the binary body', async () => {
    const name = unique('p26');
    await origin(name).proxyTo(endpointUrl(name, '/json'), { tag: 'j' }, OFFLINE);
    await origin(name).proxyTo(endpointUrl(name, '/bytes/300'), { tag: 'b' }, OFFLINE);
    const [j] = await deliveriesOf(name, 'j');
    expect(JSON.parse(j.json!)).toEqual(JSON.parse(j.text!));
    const [b] = await deliveriesOf(name, 'b');
    const served = new Uint8Array(await (await fetchEndpoint(name, '/bytes/300')).arrayBuffer());
    expect(b.byteLength).toBe(300);
    expect(b.checksum).toBe(checksum(served));
  });

  it('item 27: a 1 MiB response body arrives intact', async () => {
    const name = unique('p27');
    await origin(name).proxyTo(endpointUrl(name, `/bytes/${1024 * 1024}`), { tag: 't' }, OFFLINE);
    const [d] = await deliveriesOf(name, 't');
    expect(d.byteLength).toBe(1024 * 1024);
    const served = new Uint8Array(await (await fetchEndpoint(name, `/bytes/${1024 * 1024}`)).arrayBuffer());
    expect(d.checksum).toBe(checksum(served));
  });

  it('item 28: /redirect/2 is followed by the executor; the handler sees the final 200', async () => {
    const name = unique('p28');
    await origin(name).proxyTo(endpointUrl(name, '/redirect/2'), { tag: 't' }, OFFLINE);
    const [d] = await deliveriesOf(name, 't');
    expect(d).toMatchObject({ kind: 'response', status: 200 });
    expect(await endpoints(name).requestCount()).toBe(3);
  });

  it('§7: a response body that fails half-way delivers an Error describing the conversion failure; count 1', async () => {
    const name = unique('p-body');
    await origin(name).proxyTo('https://broken.test/body', { tag: 't' }, { outboundBinding: 'BROKEN_UPSTREAM' });
    const [d] = await deliveriesOf(name, 't');
    expect(d).toMatchObject({ kind: 'error', isTimeout: false });
    expect(d.message).toContain('could not be read or converted');
    expect(await origin(name).deliveries('t')).toHaveLength(1);
    expect(await origin(name).storageRows()).toEqual({ pending: 0, idempotency: 0, alarms: 0 });
  });

  it('item 32: outboundBinding routes to the in-process endpoints; their request counter proves it', async () => {
    const name = unique('p32');
    expect(await endpoints(name).requestCount()).toBe(0);
    await origin(name).proxyTo(endpointUrl(name, '/uuid'), { tag: 't' }, OFFLINE);
    await deliveriesOf(name, 't');
    expect(await endpoints(name).requestCount()).toBe(1);
  });

  it('item 33: the calling method returns while the upstream is still pending', async () => {
    const name = unique('p33');
    const id = await origin(name).proxyTo(endpointUrl(name, '/hold/slow'), { tag: 't' }, OFFLINE);
    expect(id).toMatch(UUID);
    // The method has returned; the upstream holds the request; no handler has run.
    await holding(name, 'slow');
    expect(await origin(name).deliveries('t')).toEqual([]);
    await endpoints(name).release('slow');
    await until(() => origin(name).deliveries('t'), (d) => d.length === 1);
  });
});

/** Fetches an endpoint directly from the test (for comparing bodies). */
function fetchEndpoint(name: string, path: string): Promise<Response> {
  return env.TEST_ENDPOINTS.fetch(endpointUrl(name, path));
}
