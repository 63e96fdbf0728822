/**
 * Browser is portable: the same cookie and redirect behaviour in Node and workerd, driven by the
 * test endpoints' handler called as the fetch function (no network, no workerd needed).
 */
import { describe, expect, it } from 'vitest';
import { Browser } from '../../src/index.ts';
import { browserEndpoint } from '../browser-endpoints.ts';

const handlerFetch = (async (input: RequestInfo | URL, init?: RequestInit) =>
  (await browserEndpoint(new Request(input instanceof URL ? input.href : input, init))) ?? new Response('not found', { status: 404 })) as typeof fetch;
const cookieOf = async (res: Response) => ((await res.json()) as { headers: Record<string, string> }).headers.cookie;

describe('Browser with a handler as fetch (items 36–38, 40, 46 portable)', () => {
  it('stores cookies from redirect hops and the final response, sends them back, and keeps jars apart', async () => {
    const alice = new Browser(handlerFetch);
    const bob = new Browser(handlerFetch);
    await alice.fetch(`https://a.test/browser/redirect?status=302&to=/browser/set&c=${encodeURIComponent('hop=1; Path=/')}`);
    expect(alice.getAllCookiesAsObject()).toEqual({ hop: '1' });
    expect(await cookieOf(await alice.fetch('https://a.test/browser/echo'))).toBe('hop=1');
    expect(await cookieOf(await bob.fetch('https://a.test/browser/echo'))).toBeUndefined();
  });
  it('drops cookies and Authorization on a cross-host redirect; 302 POST becomes GET', async () => {
    const browser = new Browser(handlerFetch);
    browser.setCookie('s', '1', { domain: 'a.test' });
    const res = await browser.fetch(`https://a.test/browser/redirect?status=302&to=${encodeURIComponent('https://b.test/browser/echo')}`, {
      method: 'POST',
      body: 'x',
      headers: { Authorization: 'Bearer t' },
    });
    const seen = (await res.json()) as { method: string; headers: Record<string, string> };
    expect(seen.method).toBe('GET');
    expect(seen.headers.cookie).toBeUndefined();
    expect(seen.headers.authorization).toBeUndefined();
  });
  it('SameSite in a cross-site context keeps only None; Secure cookies', async () => {
    const browser = new Browser(handlerFetch);
    browser.setCookie('lax', '1', { domain: 'api.example.com', secure: true });
    browser.setCookie('none', '2', { domain: 'api.example.com', sameSite: 'None', secure: true });
    const page = browser.context('https://elsewhere.test');
    const res = await page.fetch('https://api.example.com/browser/cors?acao=https%3A%2F%2Felsewhere.test&acac=true', { credentials: 'include' });
    expect(await cookieOf(res)).toBe('none=2');
  });
});
