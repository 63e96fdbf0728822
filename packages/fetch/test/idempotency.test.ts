/**
 * Idempotency keys (issue 16 "go beyond" 2; docs/fetch.md#idempotency-keys): the key travels as an
 * `Idempotency-Key` header, and the origin DO keeps a short-lived dedupe record so a retry under
 * the same key reuses a response that already arrived — even one that arrived after an ambiguous
 * timeout — instead of sending again. Proven against the test endpoints' request counter.
 */
import { advanceClock, runNextAlarm, testClock } from '@lumenize/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_IDEMPOTENCY_TTL_MS } from '../src/index.ts';
import { WATCHDOG_ID } from '../src/limits.ts';
import { endpointUrl } from './nodes.ts';
import { deliveriesOf, endpoints, holding, logged, mark, OFFLINE, origin, unique, until } from './helpers.ts';

afterEach(() => testClock.reset());

const hasReqId = (id: string) => (r: { data?: unknown }) => (r.data as { reqId?: string; workId?: string } | undefined)?.reqId === id || (r.data as { workId?: string } | undefined)?.workId === id;

describe('idempotency keys', () => {
  it('sends the key upstream as an Idempotency-Key header', async () => {
    const name = unique('i-header');
    await origin(name).proxyTo(endpointUrl(name, '/headers'), { tag: 't' }, { ...OFFLINE, idempotencyKey: 'order-42' });
    const [d] = await deliveriesOf(name, 't');
    expect(JSON.parse(d.text!).headers['idempotency-key']).toBe('order-42');
  });

  it('after an ambiguous timeout whose upstream did complete, a retry with the same key makes no second upstream request', async () => {
    const name = unique('i-late');
    const stub = origin(name);
    const first = await stub.proxyTo(endpointUrl(name, '/hold/k'), { tag: 'first' }, { ...OFFLINE, idempotencyKey: 'pay-1' });
    await holding(name, 'k');
    // The watchdog wins: the handler hears an ambiguous FetchTimeoutError.
    expect((await runNextAlarm(stub)).ran).toBe(true);
    expect(await stub.deliveries('first')).toMatchObject([{ errorName: 'FetchTimeoutError', ambiguous: true }]);
    expect(await stub.pendingKind(first)).toBe('late');
    // The upstream finishes after all; its late response is kept under the key (no handler runs).
    await endpoints(name).release('k');
    await until(() => stub.idempotencyRecord('pay-1') as Promise<{ result?: string } | undefined>, (r) => r?.result !== undefined);
    expect(await stub.deliveries('first')).toHaveLength(1);
    expect(await endpoints(name).requestCount()).toBe(1);

    // The retry replays the kept response instead of sending.
    const since = mark();
    const retry = await stub.proxyTo(endpointUrl(name, '/hold/k'), { tag: 'retry' }, { ...OFFLINE, idempotencyKey: 'pay-1' });
    await logged('lmz.fetch.Fetch.proxy', 'info', hasReqId(retry), since);
    // The replay is a pending record due now; the watchdog delivers it.
    expect(await stub.triggerAlarms()).toEqual([WATCHDOG_ID]);
    const [d] = await stub.deliveries('retry');
    expect(d).toMatchObject({ kind: 'response', status: 200 });
    expect(JSON.parse(d.text!)).toEqual({ hold: 'k', released: true });
    expect(await endpoints(name).requestCount()).toBe(1);
  });

  it('a retry after a completed request replays its response; the counter stays at 1', async () => {
    const name = unique('i-done');
    const stub = origin(name);
    await stub.proxyTo(endpointUrl(name, '/uuid'), { tag: 'first' }, { ...OFFLINE, idempotencyKey: 'create-7' });
    const [a] = await deliveriesOf(name, 'first');
    await stub.proxyTo(endpointUrl(name, '/uuid'), { tag: 'again' }, { ...OFFLINE, idempotencyKey: 'create-7' });
    await stub.triggerAlarms();
    const [b] = await stub.deliveries('again');
    expect(JSON.parse(b.text!).uuid).toBe(JSON.parse(a.text!).uuid);
    expect(await endpoints(name).requestCount()).toBe(1);
    // Rows: one dedupe record plus the one shared sweeper alarm; no pending records are left.
    expect(await stub.storageRows()).toEqual({ pending: 0, idempotency: 1, alarms: 1 });
  });

  it('a retry while the first attempt is still in flight throws FetchIdempotencyError and sends nothing', async () => {
    const name = unique('i-flight');
    const stub = origin(name);
    await stub.proxyTo(endpointUrl(name, '/hold/k'), { tag: 'first' }, { ...OFFLINE, idempotencyKey: 'k-1' });
    await holding(name, 'k');
    const rows = await stub.storageRows();
    const out = await stub.tryProxy('ctn', endpointUrl(name, '/hold/k'), { ...OFFLINE, idempotencyKey: 'k-1' });
    expect(out).toMatchObject({ ok: false, name: 'FetchIdempotencyError', code: 'IDEMPOTENCY_KEY_IN_FLIGHT' });
    expect(await stub.storageRows()).toEqual(rows);
    await endpoints(name).release('k');
    await deliveriesOf(name, 'first');
    expect(await endpoints(name).requestCount()).toBe(1);
  });

  it('limit: when the result was lost entirely (delivery failed), the retry sends again with the same key', async () => {
    const name = unique('i-lost');
    const stub = origin(name);
    const since = mark();
    const first = await stub.proxyTo(endpointUrl(name, '/headers'), { tag: 'first' }, { ...OFFLINE, idempotencyKey: 'ship-3', testMode: { simulateDeliveryFailure: true } });
    await logged('lmz.fetch.FetchExecutorEntrypoint', 'warn', hasReqId(first), since);
    expect((await runNextAlarm(stub)).ran).toBe(true);
    expect(await stub.deliveries('first')).toMatchObject([{ errorName: 'FetchTimeoutError' }]);
    await stub.proxyTo(endpointUrl(name, '/headers'), { tag: 'retry' }, { ...OFFLINE, idempotencyKey: 'ship-3' });
    const [d] = await deliveriesOf(name, 'retry');
    // The origin never saw the first response, so only the upstream can deduplicate: it gets the same key twice.
    expect(await endpoints(name).requestCount()).toBe(2);
    expect(JSON.parse(d.text!).headers['idempotency-key']).toBe('ship-3');
  });

  it('an Error outcome (abort) is not kept: the retry sends again', async () => {
    const name = unique('i-error');
    const stub = origin(name);
    await stub.proxyTo(endpointUrl(name, '/hold/never'), { tag: 'first' }, { ...OFFLINE, idempotencyKey: 'e-1', timeout: 300 });
    await deliveriesOf(name, 'first');
    await endpoints(name).release('never');
    await stub.proxyTo(endpointUrl(name, '/uuid'), { tag: 'retry' }, { ...OFFLINE, idempotencyKey: 'e-1' });
    const [d] = await deliveriesOf(name, 'retry');
    expect(d).toMatchObject({ kind: 'response', status: 200 });
    expect(await endpoints(name).requestCount()).toBe(2);
  });

  it('the record expires after its TTL: the sweeper alarm deletes it and a later retry sends again', async () => {
    const name = unique('i-ttl');
    const stub = origin(name);
    await stub.proxyTo(endpointUrl(name, '/uuid'), { tag: 'first' }, { ...OFFLINE, idempotencyKey: 'ttl-1', idempotencyTtlMs: 60_000 });
    await deliveriesOf(name, 'first');
    expect(await stub.storageRows()).toEqual({ pending: 0, idempotency: 1, alarms: 1 });
    // Virtual clock → 60 s later: the idle watchdog (at 32 s) ends, then the sweeper runs.
    const runs = await advanceClock(60_000, stub);
    expect(runs.filter((r) => r.ran)).toHaveLength(2);
    expect(await stub.storageRows()).toEqual({ pending: 0, idempotency: 0, alarms: 0 });
    expect(await stub.watchdog()).toBeNull();
    await stub.proxyTo(endpointUrl(name, '/uuid'), { tag: 'later' }, { ...OFFLINE, idempotencyKey: 'ttl-1' });
    await deliveriesOf(name, 'later');
    expect(await endpoints(name).requestCount()).toBe(2);
  });

  it('bad TTLs throw RangeError naming the option; nothing is stored', async () => {
    const name = unique('i-bad');
    for (const idempotencyTtlMs of [0, -5, Number.NaN, 24 * 60 * 60_000 + 1]) {
      const out = await origin(name).tryProxy('ctn', endpointUrl(name, '/uuid'), { ...OFFLINE, idempotencyKey: 'x', idempotencyTtlMs });
      expect(out).toMatchObject({ ok: false, kind: 'RangeError' });
      expect((out as { message: string }).message).toContain('options.idempotencyTtlMs');
    }
    expect(await origin(name).storageRows()).toEqual({ pending: 0, idempotency: 0, alarms: 0 });
    expect(DEFAULT_IDEMPOTENCY_TTL_MS).toBe(600_000);
  });
});
