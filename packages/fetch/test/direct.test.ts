/**
 * direct(): the DO fetches itself with the same continuation API (spec fetch §3.9; §9 items 29–32).
 * No storage and no watchdog; if the DO is evicted first, the handler never runs (documented).
 */
import { describe, expect, it } from 'vitest';
import { endpointUrl } from './nodes.ts';
import { answered, deliveriesOf, endpoints, holding, logged, mark, OFFLINE, origin, unique } from './helpers.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const EMPTY = { pending: 0, idempotency: 0, alarms: 0 };

describe('direct', () => {
  it('item 29: returns a UUID synchronously; /uuid delivers a ResponseSync; no watchdog or record is ever created', async () => {
    const name = unique('d29');
    const { id, rows } = await origin(name).directAndInspect(endpointUrl(name, '/uuid'), { tag: 't' }, OFFLINE);
    expect(id).toMatch(UUID);
    expect(rows).toEqual(EMPTY);
    const [d] = await deliveriesOf(name, 't');
    expect(d).toMatchObject({ kind: 'response', ok: true, status: 200 });
    expect(JSON.parse(d.text!).uuid).toMatch(UUID);
    expect(await origin(name).storageRows()).toEqual(EMPTY);
    expect(await origin(name).scheduleCount()).toBe(0);
  });

  it('item 30: timeout 500 against a held upstream delivers an abort Error', async () => {
    const name = unique('d30');
    await origin(name).directTo(endpointUrl(name, '/hold/never'), { tag: 't' }, { ...OFFLINE, timeout: 500 });
    const [d] = await deliveriesOf(name, 't');
    expect(d).toMatchObject({ kind: 'error', errorName: 'AbortError' });
    expect(d.message).toContain('abort');
    await endpoints(name).release('never');
  });

  it('item 30: an unresolvable host delivers an Error', async () => {
    const name = unique('d30b');
    await origin(name).directTo('https://no-such-host.invalid/x', { tag: 't' });
    const [d] = await deliveriesOf(name, 't');
    expect(d).toMatchObject({ kind: 'error', isTimeout: false });
  });

  it('item 31: a $result marker first and context args behave like proxy()', async () => {
    const name = unique('d31');
    await origin(name).directFirst(endpointUrl(name, '/status/404'), { tag: 't', userId: 'u3', index: 2 }, OFFLINE);
    const [d] = await deliveriesOf(name, 't');
    expect(d).toMatchObject({ position: 'first', kind: 'response', ok: false, status: 404, statusText: 'Not Found', ctx: { tag: 't', userId: 'u3', index: 2 } });
  });

  it('item 32: outboundBinding routes direct to the in-process endpoints (counter 1)', async () => {
    const name = unique('d32');
    await origin(name).directTo(endpointUrl(name, '/uuid'), { tag: 't' }, OFFLINE);
    await deliveriesOf(name, 't');
    expect(await endpoints(name).requestCount()).toBe(1);
  });

  it('bad input: the same synchronous refusals as proxy, and a missing outbound binding', async () => {
    const name = unique('d-bad');
    const stub = origin(name);
    expect(await stub.tryDirect('plain-function', endpointUrl(name, '/uuid'), OFFLINE)).toMatchObject({ ok: false, message: 'Invalid continuation: must be created with this.ctn()' });
    expect(await stub.tryDirect('ctn', '/relative', OFFLINE)).toMatchObject({ ok: false, kind: 'TypeError' });
    expect(await stub.tryDirect('native-request', undefined, OFFLINE)).toMatchObject({ ok: false, kind: 'TypeError' });
    expect(await stub.tryDirect('ctn', endpointUrl(name, '/uuid'), { ...OFFLINE, timeout: 0 })).toMatchObject({ ok: false, kind: 'RangeError' });
    const missing = await stub.tryDirect('ctn', endpointUrl(name, '/uuid'), { outboundBinding: 'NOPE' });
    expect(missing).toMatchObject({ ok: false, kind: 'Error' });
    expect((missing as { message: string }).message).toContain("Missing outbound binding 'NOPE'");
    expect(await stub.storageRows()).toEqual(EMPTY);
    expect(await endpoints(name).requestCount()).toBe(0);
  });

  it('a request id in flight cannot be reused; after it settles it can', async () => {
    const name = unique('d-dup');
    const stub = origin(name);
    expect(await stub.directTo(endpointUrl(name, '/hold/k'), { tag: 'first' }, OFFLINE, 'same')).toBe('same');
    expect(await stub.tryDirect('ctn', endpointUrl(name, '/uuid'), OFFLINE, 'same')).toMatchObject({ ok: false, message: expect.stringContaining("'same' is already pending") });
    await holding(name, 'k');
    await endpoints(name).release('k');
    await deliveriesOf(name, 'first');
    expect(await stub.tryDirect('ctn', endpointUrl(name, '/uuid'), OFFLINE, 'same')).toEqual({ ok: true, id: 'same' });
    await deliveriesOf(name, 'bad');
  });

  it('documented limit: if the DO is reset while direct() waits, the handler never runs', async () => {
    const name = unique('d-evict');
    const since = mark();
    await origin(name).directTo(endpointUrl(name, '/hold/k'), { tag: 't' }, OFFLINE);
    await holding(name, 'k');
    // The DO's own fetch is pending I/O, so a graceful evict() would wait it out (up to ~30 s, the
    // platform fact direct() pays for); a reset ends the instance at once, as a crash or deploy does.
    await origin(name).abort().catch(() => 'reset');
    await endpoints(name).release('k');
    await answered(name);
    // A later call into the fresh instance completes; the old instance's handler is gone with it.
    await origin(name).token();
    expect(await origin(name).deliveries('t')).toEqual([]);
    expect(await origin(name).storageRows()).toEqual(EMPTY);
    expect(await logged('lmz.fetch.Fetch.direct', 'debug', () => true, since)).toBeDefined();
  });
});
