/**
 * Bad input and hostile callers (spec fetch §7; §9 items 16–21, 24, 25, 35). Each refused call
 * throws synchronously and leaves nothing behind: no pending record, no watchdog, no upstream
 * request (the test endpoints' counter stays 0).
 */
import { env } from 'cloudflare:test';
import { stringify } from '@lumenize/structured-clone';
import { describe, expect, it } from 'vitest';
import { WATCHDOG_ID } from '../src/limits.ts';
import { endpointUrl } from './nodes.ts';
import { deliveriesOf, endpoints, holding, logged, logsOf, mark, OFFLINE, origin, unique } from './helpers.ts';

const EMPTY = { pending: 0, idempotency: 0, alarms: 0 };

/** Asserts that nothing was stored, scheduled or sent for `name`. */
async function nothingLeft(name: string): Promise<void> {
  expect(await origin(name).storageRows()).toEqual(EMPTY);
  expect(await endpoints(name).requestCount()).toBe(0);
}

describe('proxy: synchronous refusals (nothing stored, scheduled or sent)', () => {
  it('item 16: a plain function, a plain object and undefined as the continuation throw the documented message', async () => {
    const name = unique('b16');
    for (const kind of ['plain-function', 'undefined', 'object']) {
      const out = await origin(name).tryProxy(kind, endpointUrl(name, '/uuid'), OFFLINE);
      expect(out).toEqual({ ok: false, name: 'TypeError', kind: 'TypeError', message: 'Invalid continuation: must be created with this.ctn()' });
    }
    await nothingLeft(name);
  });

  it('item 17: a DO that does not know its identity throws the identity error synchronously', async () => {
    const out = await env.NOID_DO.getByName(unique('b17')).tryProxy('https://endpoints.test/uuid');
    expect(out).toMatchObject({ name: 'Error' });
    expect((out as { message: string }).message).toContain('does not know its own identity');
    expect((out as { message: string }).message).toContain('this.lmz.init({ bindingName');
    expect((out as { message: string }).message).toContain('routeDORequest or a mesh call');
  });

  it('item 18: a relative URL, an ftp: URL, a malformed URL and a native Request each throw TypeError', async () => {
    const name = unique('b18');
    const relative = await origin(name).tryProxy('ctn', '/uuid', OFFLINE);
    expect(relative).toMatchObject({ ok: false, kind: 'TypeError' });
    expect((relative as { message: string }).message).toContain("Invalid request URL '/uuid'");
    const ftp = await origin(name).tryProxy('ctn', 'ftp://endpoints.test/file', OFFLINE);
    expect(ftp).toMatchObject({ ok: false, kind: 'TypeError' });
    expect((ftp as { message: string }).message).toContain("scheme 'ftp:' is not allowed");
    const malformed = await origin(name).tryProxy('ctn', 'http://', OFFLINE);
    expect(malformed).toMatchObject({ ok: false, kind: 'TypeError' });
    const native = await origin(name).tryProxy('native-request', undefined, OFFLINE);
    expect(native).toMatchObject({ ok: false, kind: 'TypeError' });
    expect((native as { message: string }).message).toContain('pass a RequestSync');
    const number = await origin(name).tryProxy('ctn', 42 as unknown as string, OFFLINE);
    expect(number).toMatchObject({ ok: false, kind: 'TypeError' });
    await nothingLeft(name);
  });

  it('§7: a RequestSync cannot carry a stream body (TypeError naming the body), so none reaches proxy', async () => {
    const name = unique('b-stream');
    const out = await origin(name).tryStreamBody(endpointUrl(name, '/echo'));
    expect(out).toMatchObject({ kind: 'TypeError' });
    expect(out.message).toContain('body must be');
    await nothingLeft(name);
  });

  it('item 19: timeout 0, -1, NaN, Infinity and a negative or NaN watchdogGraceMs throw RangeError naming the option', async () => {
    const name = unique('b19');
    for (const timeout of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      const out = await origin(name).tryProxy('ctn', endpointUrl(name, '/uuid'), { ...OFFLINE, timeout });
      expect(out).toMatchObject({ ok: false, kind: 'RangeError' });
      expect((out as { message: string }).message).toContain('options.timeout');
    }
    for (const watchdogGraceMs of [-1, Number.NaN]) {
      const out = await origin(name).tryProxy('ctn', endpointUrl(name, '/uuid'), { ...OFFLINE, watchdogGraceMs });
      expect(out).toMatchObject({ ok: false, kind: 'RangeError' });
      expect((out as { message: string }).message).toContain('options.watchdogGraceMs');
    }
    // Grace 0 is allowed.
    expect(await origin(name).tryProxy('ctn', endpointUrl(name, '/uuid'), { ...OFFLINE, watchdogGraceMs: 0 })).toMatchObject({ ok: true });
    await deliveriesOf(name, 'bad');
  });

  it('§7: options of the wrong type throw TypeError naming the option', async () => {
    const name = unique('b-opts');
    const cases: Array<[unknown, string]> = [
      ['nope', 'Invalid options'],
      [{ executorBinding: '' }, 'options.executorBinding'],
      [{ outboundBinding: 7 }, 'options.outboundBinding'],
      [{ handlerTransaction: 'yes' }, 'options.handlerTransaction'],
      [{ idempotencyKey: '' }, 'options.idempotencyKey'],
      [{ idempotencyKey: 'a\nb' }, 'options.idempotencyKey'],
      [{ testMode: 3 }, 'options.testMode'],
    ];
    for (const [options, needle] of cases) {
      const out = await origin(name).tryProxy('ctn', endpointUrl(name, '/uuid'), options);
      expect(out).toMatchObject({ ok: false, kind: 'TypeError' });
      expect((out as { message: string }).message).toContain(needle);
    }
    await nothingLeft(name);
  });

  it('item 20: a missing executor binding throws naming it and the wrangler services entry', async () => {
    const name = unique('b20');
    const out = await origin(name).tryProxy('ctn', endpointUrl(name, '/uuid'), { ...OFFLINE, executorBinding: 'NOPE' });
    expect(out).toMatchObject({ ok: false, kind: 'Error' });
    expect((out as { message: string }).message).toContain("'NOPE'");
    expect((out as { message: string }).message).toContain('"entrypoint": "FetchExecutorEntrypoint"');
    await nothingLeft(name);
  });

  it('item 21: a duplicate pending reqId throws; reusing it after completion is accepted and delivers once', async () => {
    const name = unique('b21');
    const stub = origin(name);
    expect(await stub.proxyTo(endpointUrl(name, '/hold/d'), { tag: 'first' }, OFFLINE, 'dup')).toBe('dup');
    const again = await stub.tryProxy('ctn', endpointUrl(name, '/uuid'), OFFLINE, 'dup');
    expect(again).toMatchObject({ ok: false, kind: 'Error' });
    expect((again as { message: string }).message).toContain("Request id 'dup' is already pending");
    await holding(name, 'd');
    await endpoints(name).release('d');
    await deliveriesOf(name, 'first');
    expect(await stub.tryProxy('ctn', endpointUrl(name, '/uuid'), OFFLINE, 'dup')).toEqual({ ok: true, id: 'dup' });
    const [d] = await deliveriesOf(name, 'bad');
    expect(d).toMatchObject({ kind: 'response', status: 200 });
    expect(await stub.deliveries('first')).toHaveLength(1);
    expect(await stub.deliveries('bad')).toHaveLength(1);
    const bad = await stub.tryProxy('ctn', endpointUrl(name, '/uuid'), OFFLINE, '');
    expect(bad).toMatchObject({ ok: false, kind: 'TypeError' });
  });

  it('item 35: constructing the plugin on a DO without the alarms service throws the documented message', async () => {
    const out = await env.PLAIN_DO.getByName(unique('b35')).construct();
    expect(out).toContain('Fetch requires alarms service for timeout handling');
  });
});

describe('handler problems at delivery time', () => {
  it('§7: a handler method missing on the DO is logged naming the method; the claim is kept', async () => {
    const name = unique('b-missing');
    const since = mark();
    const id = await origin(name).proxyMissingHandler(endpointUrl(name, '/uuid'), { tag: 't' });
    const log = await logged('lmz.fetch.Fetch.__settle', 'error', (r) => (r.data as { reqId?: string })?.reqId === id, since);
    expect(log.data).toMatchObject({ handler: 'notThere' });
    expect(await origin(name).storageRows()).toEqual(EMPTY);
    // Its watchdog entry went with the claim: the shared watchdog still fires once, and runs nothing.
    expect(await origin(name).triggerAlarms(1)).toEqual([WATCHDOG_ID]);
    expect(await origin(name).deliveries('t')).toEqual([]);
    expect(await origin(name).watchdog()).toBeNull();
  });
});

describe('hostile callers', () => {
  it('item 24: a DO naming another DO as the origin is refused and nothing is fetched', async () => {
    const name = unique('b24');
    const out = await env.HOSTILE_DO.getByName(unique('hostile')).impersonate(endpointUrl(name, '/uuid'), name);
    expect(out).toMatchObject({ name: 'FetchAuthorizationError' });
    expect((out as { message: string }).message).toContain('nothing was fetched');
    expect(await endpoints(name).requestCount()).toBe(0);
  });

  it('item 24 / §7: a caller that is not a DO (a Worker) is refused and nothing is fetched', async () => {
    const name = unique('b24w');
    const out = await env.HOSTILE_WORKER.impersonate(endpointUrl(name, '/uuid'), name);
    expect(out).toMatchObject({ name: 'FetchAuthorizationError' });
    expect(await endpoints(name).requestCount()).toBe(0);
  });

  it('item 24: a proxy() inside a DO method that a non-DO caller invoked delivers normally (the executor checks the immediate caller)', async () => {
    const name = unique('b24ok');
    const id = await env.HOSTILE_WORKER.viaOrigin(endpointUrl(name, '/uuid'), name, 't');
    expect(typeof id).toBe('string');
    const [d] = await deliveriesOf(name, 't');
    expect(d).toMatchObject({ kind: 'response', status: 200 });
    expect(await endpoints(name).requestCount()).toBe(1);
  });

  it('item 25: a delivery for an unknown id is a warn-logged no-op; it neither throws nor runs a handler', async () => {
    const name = unique('b25');
    const since = mark();
    await origin(name).token(); // the DO exists
    await expect(origin(name).__receiveResult('fetch', 'not-a-pending-id', stringify(new Error('forged')))).resolves.toBeUndefined();
    expect(logsOf('lmz.mesh.LumenizeDO.__receiveResult', 'warn', since).some((r) => (r.data as { workId?: string }).workId === 'not-a-pending-id')).toBe(true);
    expect(await origin(name).deliveries('t')).toEqual([]);
  });

  it('item 25: a second delivery for a settled id does not run the handler again', async () => {
    const name = unique('b25b');
    const id = await origin(name).proxyTo(endpointUrl(name, '/uuid'), { tag: 't' }, OFFLINE);
    await deliveriesOf(name, 't');
    await expect(origin(name).__receiveResult('fetch', id, stringify(new Error('replayed')))).resolves.toBeUndefined();
    expect(await origin(name).deliveries('t')).toHaveLength(1);
  });

  it('item 25: a mesh call whose chain starts at svc.fetch is refused', async () => {
    const name = unique('b25c');
    const id = await origin(name).proxyTo(endpointUrl(name, '/hold/x'), { tag: 't' }, OFFLINE);
    const out = await env.HOSTILE_DO.getByName(unique('hostile')).callSvc(name, id);
    expect(out).not.toBe('accepted');
    // The pending request is untouched and still delivers its real result once.
    expect(await origin(name).hasPending(id)).toBe(true);
    await holding(name, 'x');
    await endpoints(name).release('x');
    const [d] = await deliveriesOf(name, 't');
    expect(d).toMatchObject({ kind: 'response', status: 200 });
  });
});
