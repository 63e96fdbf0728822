/** Browser: cookies, redirects, jar API, WebSockets and metrics via SELF.fetch: spec §9 items 36–42, 47. */
import { SELF } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { Browser, type Metrics, type ShimWebSocket } from '../src/index.ts';
import { unique } from './helpers.ts';

const selfFetch = SELF.fetch.bind(SELF) as typeof fetch;
interface Echo {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}
const echo = async (res: Response) => (await res.json()) as Echo;
const setUrl = (host: string, ...cookies: string[]) => `https://${host}/browser/set?${cookies.map((c) => `c=${encodeURIComponent(c)}`).join('&')}`;
const redirectUrl = (host: string, status: number, to: string, ...cookies: string[]) =>
  `https://${host}/browser/redirect?status=${status}&to=${encodeURIComponent(to)}${cookies.map((c) => `&c=${encodeURIComponent(c)}`).join('')}`;

describe('construction', () => {
  it('without any fetch throws an Error naming both remedies', () => {
    const saved = globalThis.fetch;
    try {
      (globalThis as { fetch?: unknown }).fetch = undefined;
      expect(() => new Browser()).toThrow(/Pass one .*SELF\.fetch\.bind\(SELF\)/);
    } finally {
      globalThis.fetch = saved;
    }
  });
});

describe('36: cookies across requests and redirect hops', () => {
  it('sends stored cookies and stores Set-Cookie from the final response and from intermediate redirects', async () => {
    const browser = new Browser(selfFetch);
    await browser.fetch(setUrl('a.test', 'first=1; Path=/'));
    const res = await browser.fetch(redirectUrl('a.test', 302, 'https://a.test/browser/echo', 'hop=2; Path=/'));
    expect((await echo(res)).headers.cookie).toBe('first=1; hop=2');
    expect(browser.getAllCookiesAsObject()).toEqual({ first: '1', hop: '2' });
    const final = await browser.fetch(setUrl('a.test', 'last=3; Path=/'));
    expect((await echo(final)).headers.cookie).toBe('first=1; hop=2');
    expect(browser.getCookie('last')).toBe('3');
  });
});

describe('37: redirect handling', () => {
  it('302 POST becomes GET without body or Content-* headers', async () => {
    const browser = new Browser(selfFetch);
    const res = await browser.fetch(redirectUrl('a.test', 302, '/browser/echo'), {
      method: 'POST',
      body: 'payload',
      headers: { 'Content-Type': 'text/plain', 'X-Keep': 'yes' },
    });
    const e = await echo(res);
    expect(e.method).toBe('GET');
    expect(e.body).toBe('');
    expect(e.headers['content-type']).toBeUndefined();
    expect(e.headers['x-keep']).toBe('yes');
  });
  it('303 switches to GET; 307 and 308 keep method and body', async () => {
    const browser = new Browser(selfFetch);
    expect((await echo(await browser.fetch(redirectUrl('a.test', 303, '/browser/echo'), { method: 'PUT', body: 'x' }))).method).toBe('GET');
    for (const status of [307, 308]) {
      const e = await echo(await browser.fetch(redirectUrl('a.test', status, '/browser/echo'), { method: 'POST', body: 'kept', headers: { 'Content-Type': 'text/plain' } }));
      expect([e.method, e.body, e.headers['content-type']]).toEqual(['POST', 'kept', 'text/plain']);
    }
  });
  it('more than 20 hops throws TypeError', async () => {
    const browser = new Browser(selfFetch);
    await expect(browser.fetch('https://a.test/browser/loop')).rejects.toThrow(TypeError);
    await expect(browser.fetch('https://a.test/browser/loop')).rejects.toThrow(/more than 20 redirects/);
  });
  it('manual returns the 3xx as is; error throws TypeError', async () => {
    const browser = new Browser(selfFetch);
    const res = await browser.fetch(redirectUrl('a.test', 301, '/browser/echo', 'm=1'), { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('Location')).toBe('/browser/echo');
    expect(browser.getCookie('m')).toBe('1');
    await expect(browser.fetch(redirectUrl('a.test', 302, '/browser/echo'), { redirect: 'error' })).rejects.toThrow(TypeError);
  });
});

describe('38: no leaks across hosts on redirect', () => {
  it('a redirect from a.test to b.test carries neither a.test cookies nor Authorization', async () => {
    const browser = new Browser(selfFetch);
    await browser.fetch(setUrl('a.test', 'secret=a; Path=/'));
    const res = await browser.fetch(redirectUrl('a.test', 302, 'https://b.test/browser/echo'), { headers: { Authorization: 'Bearer t', 'X-Other': 'kept' } });
    const e = await echo(res);
    expect(e.url).toBe('https://b.test/browser/echo');
    expect(e.headers.cookie).toBeUndefined();
    expect(e.headers.authorization).toBeUndefined();
    expect(e.headers['x-other']).toBe('kept');
    // Same-origin hops keep Authorization.
    const same = await echo(await browser.fetch(redirectUrl('a.test', 302, '/browser/echo'), { headers: { Authorization: 'Bearer t' } }));
    expect(same.headers.authorization).toBe('Bearer t');
    expect(same.headers.cookie).toBe('secret=a');
  });
});

describe('39: storage rules', () => {
  it('Domain=other.test from a.test is ignored; Domain without a dot is ignored; Domain covering the host is stored', async () => {
    const browser = new Browser(selfFetch);
    await browser.fetch(setUrl('www.a.test', 'x=1; Domain=other.test', 'y=2; Domain=test', 'z=3; Domain=a.test', 'h=4'));
    expect(browser.getAllCookies().map((c) => [c.name, c.domain, c.hostOnly])).toEqual([
      ['z', 'a.test', false],
      ['h', 'www.a.test', true],
    ]);
    expect(browser.getCookiesForRequest('https://api.a.test/browser/x')).toBe('z=3');
    expect(browser.getCookiesForRequest('https://api.a.test/')).toBeNull();
    expect(browser.getCookiesForRequest('https://www.a.test/browser/x')).toBe('z=3; h=4');
  });
  it('Max-Age=0 deletes a stored cookie; an expired Expires deletes too', async () => {
    const browser = new Browser(selfFetch);
    await browser.fetch(setUrl('a.test', 's=1; Path=/', 't=2; Path=/'));
    await browser.fetch(setUrl('a.test', 's=gone; Path=/; Max-Age=0', 't=gone; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT'));
    expect(browser.getAllCookies()).toEqual([]);
  });
  it('expired cookies are purged on read', async () => {
    const browser = new Browser(selfFetch);
    browser.setCookie('short', 'lived', { domain: 'a.test', expires: new Date(Date.now() + 30) });
    expect(browser.getCookie('short')).toBe('lived');
    // Time moves by the test's hand, not by sleeping.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 60 });
    try {
      expect(browser.getCookiesForRequest('https://a.test/')).toBeNull();
      expect(browser.getAllCookies()).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });
  it('missing Path takes the request directory; longer paths are sent first; Secure from plain http is ignored', async () => {
    const browser = new Browser(selfFetch);
    await browser.fetch(setUrl('a.test', 'root=1; Path=/', 'dir=2'));
    expect(browser.getAllCookies().find((c) => c.name === 'dir')!.path).toBe('/browser');
    const e = await echo(await browser.fetch('https://a.test/browser/deep/path/echo'));
    expect(e.headers.cookie).toBe('dir=2; root=1');
    expect(browser.getCookiesForRequest('https://a.test/other')).toBe('root=1');
    await browser.fetch(`http://plain.test/browser/set?c=${encodeURIComponent('sec=1; Secure')}`);
    expect(browser.getCookie('sec')).toBeUndefined();
    await browser.fetch(`http://localhost/browser/set?c=${encodeURIComponent('sec=1; Secure')}`);
    expect(browser.getCookie('sec', 'localhost')).toBe('1');
  });
});

describe('40: separate jars', () => {
  it('browser.fetch works detached (bound once), keeping the jar', async () => {
    const browser = new Browser(selfFetch);
    const { fetch: detached } = browser;
    await detached(setUrl('a.test', 'detached=1; Path=/'));
    expect(browser.getCookie('detached')).toBe('1');
  });
  it('two Browser instances keep separate cookies for the same host', async () => {
    const alice = new Browser(selfFetch);
    const bob = new Browser(selfFetch);
    await alice.fetch(setUrl('a.test', 'user=alice; Path=/'));
    await bob.fetch(setUrl('a.test', 'user=bob; Path=/'));
    expect((await echo(await alice.fetch('https://a.test/browser/echo'))).headers.cookie).toBe('user=alice');
    expect((await echo(await bob.fetch('https://a.test/browser/echo'))).headers.cookie).toBe('user=bob');
  });
});

describe('41: jar API', () => {
  it('setCookie without domain throws before any fetch, and uses the first fetched host afterwards', async () => {
    const browser = new Browser(selfFetch);
    expect(() => browser.setCookie('a', '1')).toThrow(/no domain given and no request made yet/);
    expect(browser.getAllCookies()).toEqual([]);
    await browser.fetch('https://first.test/browser/echo');
    browser.setCookie('a', '1');
    expect(browser.getAllCookies()).toEqual([{ name: 'a', value: '1', domain: 'first.test', path: '/', hostOnly: true }]);
    expect((await echo(await browser.fetch('https://first.test/browser/echo'))).headers.cookie).toBe('a=1');
    expect((await echo(await browser.fetch('https://sub.first.test/browser/echo'))).headers.cookie).toBeUndefined();
  });
  it('get, getAll, getAllAsObject and remove', () => {
    const browser = new Browser(selfFetch);
    browser.setCookie('s', 'one', { domain: 'a.test' });
    browser.setCookie('s', 'two', { domain: 'b.test', path: '/x', sameSite: 'Strict', secure: true, httpOnly: true });
    browser.setCookie('t', 'three', { domain: '.b.test', maxAge: 3600 });
    expect(browser.getCookie('s', 'b.test')).toBe('two');
    expect(browser.getCookie('s', 'a.test')).toBe('one');
    expect(browser.getCookie('missing')).toBeUndefined();
    expect(browser.getAllCookies()).toHaveLength(3);
    const t = browser.getAllCookies().find((c) => c.name === 't')!;
    expect(t.domain).toBe('b.test');
    expect(t.expires).toBeInstanceOf(Date);
    expect(browser.getAllCookiesAsObject()).toEqual({ s: 'two', t: 'three' });
    expect(browser.getCookiesForRequest('https://api.b.test/x/y')).toBe('s=two; t=three');
    expect(browser.getCookiesForRequest('http://api.b.test/x/y')).toBe('t=three');
    expect(browser.removeCookie('s', 'b.test', '/nope')).toBe(false);
    expect(browser.removeCookie('s', 'b.test')).toBe(true);
    expect(browser.getAllCookiesAsObject()).toEqual({ s: 'one', t: 'three' });
    expect(browser.removeCookie('s')).toBe(true);
    expect(browser.getAllCookies().map((c) => c.name)).toEqual(['t']);
  });
});

function nextMessage(ws: ShimWebSocket): Promise<string> {
  return new Promise((resolve) => ws.addEventListener('message', (e) => resolve(String((e as MessageEvent).data)), { once: true }));
}
function opened(ws: ShimWebSocket): Promise<void> {
  return new Promise((resolve) => ws.addEventListener('open', () => resolve(), { once: true }));
}

describe('42: WebSockets carry cookies', () => {
  it('browser.WebSocket upgrade carries cookies and no Origin', async () => {
    const browser = new Browser(selfFetch);
    await browser.fetch(setUrl('app.test', 'session=s1; Path=/; Secure; SameSite=Strict'));
    const ws = new browser.WebSocket(`wss://app.test/my-do/${unique('browser-ws')}`);
    await opened(ws);
    const reply = nextMessage(ws);
    ws.send('headers');
    const headers = JSON.parse(await reply) as Record<string, string>;
    expect(headers.cookie).toBe('session=s1');
    expect(headers.origin).toBeUndefined();
    ws.close();
  });
  it('context(origin).WebSocket carries Origin and custom headers (and SameSite applies)', async () => {
    const browser = new Browser(selfFetch);
    await browser.fetch(setUrl('app.test', 'lax=1; Path=/', 'none=2; Path=/; SameSite=None; Secure'));
    const page = browser.context('https://other-site.test', { headers: { 'X-Custom': 'c1' } });
    const ws = new page.WebSocket(`wss://app.test/my-do/${unique('ctx-ws')}`);
    await opened(ws);
    const reply = nextMessage(ws);
    ws.send('headers');
    const headers = JSON.parse(await reply) as Record<string, string>;
    expect(headers.origin).toBe('https://other-site.test');
    expect(headers['x-custom']).toBe('c1');
    expect(headers.cookie).toBe('none=2');
    ws.close();
  });
  it('Set-Cookie on the upgrade response is stored', async () => {
    const browser = new Browser(selfFetch);
    const ws = new browser.WebSocket(`wss://app.test/my-do/${unique('upgrade-cookie')}?set-cookie=${encodeURIComponent('ws=1; Path=/')}`);
    await opened(ws);
    expect(ws.response!.status).toBe(101);
    expect(browser.getCookie('ws')).toBe('1');
    ws.close();
  });
});

describe('47: metrics', () => {
  it('httpRequests per request, roundTrips per hop (including redirects), payload bytes', async () => {
    const metrics: Metrics = {};
    const browser = new Browser(selfFetch, { metrics });
    const res = await browser.fetch(redirectUrl('a.test', 307, '/browser/echo'), { method: 'POST', body: 'hello' });
    const text = await res.text();
    expect(metrics.httpRequests).toBe(1);
    expect(metrics.roundTrips).toBe(2);
    expect(metrics.payloadBytesSent).toBe(10);
    expect(metrics.payloadBytesReceived).toBe(new TextEncoder().encode(text).byteLength);
    await browser.fetch('https://a.test/browser/echo');
    expect(metrics.httpRequests).toBe(2);
    expect(metrics.roundTrips).toBe(3);
  });
});
