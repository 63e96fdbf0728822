/**
 * Test endpoints in-process (spec testing §2.6, §3.9, §7; acceptance items 33–37).
 *
 * | Item | Test |
 * |---|---|
 * | 33 | open mode: /uuid without a token, count 1, request:last ends in /uuid |
 * | 34 | token mode: missing/wrong token 401; header and query token 200 |
 * | 35 | stopTracking keeps the count; resetTracking clears it; next request counts 1 |
 * | 36 | the endpoint table tests (status, delay, echo, invalid JSON, cookies, redirect) |
 * | 37 | two instances keep separate stats |
 */
import { env, runInDurableObject, SELF } from 'cloudflare:test';
import { Browser } from '@lumenize/utils';
import { describe, expect, it } from 'vitest';
import { buildTestEndpointUrl, createTestEndpoints, decodeTracking, UNAUTHORIZED_TEXT } from '../../src/test-endpoints/index.ts';

const BASE = 'https://endpoints.test';
const selfFetch = SELF.fetch.bind(SELF) as typeof fetch;
const endpoints = (instance: string) => createTestEndpoints(undefined, BASE, instance, selfFetch);
const stub = (instance: string) => env.TEST_ENDPOINTS_DO.getByName(instance);

describe('open mode (TEST_TOKEN unset)', () => {
  it('item 33: /uuid needs no token, counts 1, records the request', async () => {
    const res = await endpoints('t33').fetch('/uuid');
    expect(res.status).toBe(200);
    expect(res.headers.get('X-Test-Endpoints-Mode')).toBe('open');
    const { uuid } = await res.json<{ uuid: string }>();
    expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const tracking = decodeTracking(await stub('t33').trackingSnapshot());
    expect(tracking.count).toBe(1);
    expect(tracking.request?.url).toMatch(/\/uuid$/);
    expect(tracking.request?.method).toBe('GET');
    expect(tracking.response?.status).toBe(200);
    expect(tracking.response?.json<{ uuid: string }>().uuid).toBe(uuid);
    expect(tracking.firstTimestamp).toBeInstanceOf(Date);
    expect(tracking.lastTimestamp).toBeInstanceOf(Date);
  });

  it('lastRequest()/lastResponse() give RequestSync/ResponseSync in-process', async () => {
    await endpoints('t33b').fetch('/json');
    await runInDurableObject(stub('t33b'), (instance) => {
      expect(instance.lastRequest()?.url).toMatch(/\/json$/);
      expect(instance.lastResponse()?.json<{ slideshow: { title: string } }>().slideshow.title).toBe('Sample Slide Show');
    });
  });
});

describe('token mode (TEST_TOKEN set)', () => {
  const token = (path: string, init?: RequestInit) => env.TOKEN_ENDPOINTS_DO.getByName('t34').fetch(`${BASE}${path}`, init);

  it('item 34: missing or wrong token gets 401 with the documented text; nothing is counted', async () => {
    for (const res of [await token('/uuid'), await token('/uuid', { headers: { 'X-Test-Token': 'wrong' } }), await token('/uuid?token=wrong')]) {
      expect(res.status).toBe(401);
      expect(await res.text()).toBe(UNAUTHORIZED_TEXT);
    }
    expect(await env.TOKEN_ENDPOINTS_DO.getByName('t34').requestCount()).toBe(0);
  });

  it('item 34: header and query tokens both get 200; the header token is never recorded', async () => {
    const viaHeader = await token('/uuid', { headers: { 'X-Test-Token': 'sesame' } });
    expect(viaHeader.status).toBe(200);
    expect(viaHeader.headers.get('X-Test-Endpoints-Mode')).toBeNull();
    expect((await token('/uuid?token=sesame')).status).toBe(200);
    const echoed = await token('/echo', { method: 'POST', headers: { 'X-Test-Token': 'sesame', 'content-type': 'text/plain' }, body: 'x' });
    const body = await echoed.json<{ headers: Record<string, string> }>();
    expect(body.headers['x-test-token']).toBeUndefined();
    const last = decodeTracking(await env.TOKEN_ENDPOINTS_DO.getByName('t34').trackingSnapshot()).request;
    expect(last?.headers.get('x-test-token')).toBeNull();
  });

  it('createTestEndpoints with a token sets the header on requests and ?token= on URLs', () => {
    const te = createTestEndpoints('sesame', BASE, 'i');
    expect(te.createRequest('/uuid').headers.get('X-Test-Token')).toBe('sesame');
    expect(te.buildUrl('/uuid')).toBe(`${BASE}/test-endpoints-do/i/uuid?token=sesame`);
    expect(te.buildUrl('/anything?a=1')).toBe(`${BASE}/test-endpoints-do/i/anything?a=1&token=sesame`);
  });
});

describe('tracking controls', () => {
  it('item 35: stopTracking keeps the count; resetTracking clears it; the next request counts 1', async () => {
    const te = endpoints('t35');
    await te.fetch('/uuid');
    await stub('t35').stopTracking();
    await te.fetch('/uuid');
    expect(await stub('t35').requestCount()).toBe(1);
    expect((await stub('t35').trackingSnapshot()).enabled).toBe(false);
    await stub('t35').resetTracking();
    const cleared = await stub('t35').trackingSnapshot();
    expect(cleared.count).toBeUndefined();
    expect(cleared.request).toBeUndefined();
    expect(cleared.enabled).toBe(true);
    await te.fetch('/uuid');
    expect((await stub('t35').trackingSnapshot()).count).toBe(1);
    await stub('t35').stopTracking();
    await stub('t35').startTracking();
    await te.fetch('/uuid');
    expect(await stub('t35').requestCount()).toBe(2);
  });

  it('item 37: two instances keep separate stats', async () => {
    await endpoints('iso-a').fetch('/uuid');
    await endpoints('iso-a').fetch('/uuid');
    await endpoints('iso-b').fetch('/uuid');
    expect(await stub('iso-a').requestCount()).toBe(2);
    expect(await stub('iso-b').requestCount()).toBe(1);
  });
});

describe('item 36: endpoints', () => {
  it('/status/{code}: 404 → 404 empty; 99, 600 and abc → 400 Invalid status code, still tracked', async () => {
    const te = endpoints('t36-status');
    const res = await te.fetch('/status/404');
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('');
    expect((await te.fetch('/status/503', { method: 'POST', body: 'x' })).status).toBe(503);
    for (const bad of ['99', '600', 'abc']) {
      const r = await te.fetch(`/status/${bad}`);
      expect(r.status).toBe(400);
      expect(await r.text()).toBe('Invalid status code');
    }
    expect(await stub('t36-status').requestCount()).toBe(5);
  });

  it('/delay: 50 → { delay: 50 }; 30001, abc and -1 → 400 with the documented texts', async () => {
    const te = endpoints('t36-delay');
    const ok = await te.fetch('/delay/50');
    expect(ok.status).toBe(200);
    const body = await ok.json<{ delay: number; timestamp: string }>();
    expect(body.delay).toBe(50);
    expect(typeof body.timestamp).toBe('string');
    const tooLong = await te.fetch('/delay/30001');
    expect(tooLong.status).toBe(400);
    expect(await tooLong.text()).toBe('Delay too long (max 30000ms)');
    for (const bad of ['abc', '-1']) {
      const r = await te.fetch(`/delay/${bad}`);
      expect(r.status).toBe(400);
      expect(await r.text()).toBe('Invalid delay value');
    }
  });

  it('POST /echo: parsed json, lowercased headers, text bodies in data; invalid JSON → 400', async () => {
    const te = endpoints('t36-echo');
    const res = await te.fetch('/echo?q=1', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Custom-Thing': 'v' }, body: JSON.stringify({ a: [1, 2] }) });
    const body = await res.json<{ json: unknown; headers: Record<string, string>; args: Record<string, string>; url: string; data: string }>();
    expect(body.json).toEqual({ a: [1, 2] });
    expect(body.headers['x-custom-thing']).toBe('v');
    expect(body.headers['x-lumenize-do-binding-name']).toBeUndefined();
    expect(body.args).toEqual({ q: '1' });
    expect(body.url).toMatch(/\/echo\?q=1$/);
    const plain = await (await te.fetch('/echo', { method: 'POST', body: 'hello' })).json<{ data: string; json: unknown }>();
    expect(plain).toMatchObject({ data: 'hello', json: null });
    const bad = await te.fetch('/echo', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toBe('Invalid JSON');
    expect(await stub('t36-echo').requestCount()).toBe(3);
  });

  it('/headers, /json and /anything/… describe the request', async () => {
    const te = endpoints('t36-misc');
    expect((await (await te.fetch('/headers', { headers: { 'X-A': '1' } })).json<{ headers: Record<string, string> }>()).headers['x-a']).toBe('1');
    expect((await (await te.fetch('/json')).json<{ slideshow: { slides: unknown[] } }>()).slideshow.slides).toHaveLength(2);
    const any = await (await te.fetch('/anything/deep/path?x=1&x=2', { method: 'PUT', body: 'b' })).json<{ method: string; args: unknown; data: string; url: string }>();
    expect(any).toMatchObject({ method: 'PUT', args: { x: ['1', '2'] }, data: 'b' });
    expect(any.url).toMatch(/\/anything\/deep\/path\?x=1&x=2$/);
  });

  it('/bytes/{n} serves the documented fixed pattern; above the cap → 400', async () => {
    const te = endpoints('t36-bytes');
    const bytes = new Uint8Array(await (await te.fetch('/bytes/1000')).arrayBuffer());
    expect(bytes.length).toBe(1000);
    expect(bytes[0]).toBe(7);
    expect(bytes[999]).toBe((999 * 31 + 7) & 0xff);
    expect((await te.fetch(`/bytes/${2 * 1024 * 1024 + 1}`)).status).toBe(400);
  });

  it('unknown paths → 404 Not Found (tracked); the handler answers foreign paths 404', async () => {
    const te = endpoints('t36-404');
    const res = await te.fetch('/nope');
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('Not Found');
    expect((await te.fetch('/uuid', { method: 'POST' })).status).toBe(404);
    expect(await stub('t36-404').requestCount()).toBe(2);
    const foreign = await SELF.fetch(`${BASE}/other/x/uuid`);
    expect(foreign.status).toBe(404);
  });

  it('/redirect/3 ends at /anything in 4 hops', async () => {
    const res = await endpoints('t36-redirect').fetch('/redirect/3');
    expect(res.status).toBe(200);
    expect((await res.json<{ url: string }>()).url).toMatch(/\/test-endpoints-do\/t36-redirect\/anything$/);
    expect(await stub('t36-redirect').requestCount()).toBe(4);
    expect((await endpoints('t36-redirect').fetch('/redirect/21')).status).toBe(400);
  });

  it('/cookies/set?a=1 followed through Browser shows a in /cookies', async () => {
    const browser = new Browser(selfFetch);
    const res = await browser.fetch(buildTestEndpointUrl(BASE, '/cookies/set?a=1', 't36-cookies'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ cookies: { a: '1' } });
  });
});

describe('held requests (/hold/{key}): the test decides when the upstream answers', () => {
  it('a held request is in flight until release(key); the count proves it arrived', async () => {
    const te = endpoints('t-hold');
    const pending = te.fetch('/hold/k1');
    // Arrival is observed, not assumed: poll the DO until it reports the hold.
    await expect.poll(() => stub('t-hold').held()).toEqual(['k1']);
    expect(await stub('t-hold').requestCount()).toBe(1);
    expect(await stub('t-hold').release('k1')).toBe(1);
    const res = await pending;
    expect(await res.json()).toEqual({ hold: 'k1', released: true });
    expect(await stub('t-hold').held()).toEqual([]);
  });

  it('a release that comes first lets the later request through at once', async () => {
    expect(await stub('t-hold2').release('early')).toBe(0);
    expect(await (await endpoints('t-hold2').fetch('/hold/early')).json()).toEqual({ hold: 'early', released: true });
  });
});

describe('URL builders', () => {
  it('buildTestEndpointUrl joins base, segment, instance and path; appends the token', () => {
    expect(buildTestEndpointUrl('https://h.test/', 'uuid', 'a b')).toBe('https://h.test/test-endpoints-do/a%20b/uuid');
    expect(buildTestEndpointUrl('https://h.test', '/uuid', 'a', 't&1')).toBe('https://h.test/test-endpoints-do/a/uuid?token=t%261');
    expect(() => buildTestEndpointUrl('https://h.test', '/uuid', '')).toThrow(TypeError);
  });
});
