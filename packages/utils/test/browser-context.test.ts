/** Browser.context(origin): Origin, CORS validation, preflights and SameSite: spec §9 items 43–46. */
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { Browser } from '../src/index.ts';
import { unique } from './helpers.ts';

const selfFetch = SELF.fetch.bind(SELF) as typeof fetch;
const APP = 'https://app.example.com';
const cors = (host: string, params: Record<string, string>) => `https://${host}/browser/cors?${new URLSearchParams(params)}`;
const headersOf = async (res: Response) => ((await res.json()) as { headers: Record<string, string> }).headers;

describe('43: CORS validation of context fetches', () => {
  it('same-origin needs no CORS headers and carries Origin', async () => {
    const page = new Browser(selfFetch).context(APP);
    const res = await page.fetch('https://app.example.com/browser/echo');
    expect((await headersOf(res)).origin).toBe(APP);
    expect(page.lastPreflight).toBeNull();
  });
  it('cross-origin without Access-Control-Allow-Origin throws TypeError with the reason', async () => {
    const page = new Browser(selfFetch).context(APP);
    await expect(page.fetch('https://api.example.com/browser/echo')).rejects.toThrow(TypeError);
    await expect(page.fetch('https://api.example.com/browser/echo')).rejects.toThrow(/no Access-Control-Allow-Origin/);
  });
  it('a mismatched Access-Control-Allow-Origin throws', async () => {
    const page = new Browser(selfFetch).context(APP);
    await expect(page.fetch(cors('api.example.com', { acao: 'https://other.test' }))).rejects.toThrow(/does not match origin/);
    expect((await page.fetch(cors('api.example.com', { acao: APP }))).status).toBe(200);
    expect((await page.fetch(cors('api.example.com', { acao: '*' }))).status).toBe(200);
  });
  it("'*' with credentials throws; credentials need Access-Control-Allow-Credentials: true", async () => {
    const page = new Browser(selfFetch).context(APP);
    await expect(page.fetch(cors('api.example.com', { acao: '*', acac: 'true' }), { credentials: 'include' })).rejects.toThrow(/'\*' but the request has credentials/);
    await expect(page.fetch(cors('api.example.com', { acao: APP }), { credentials: 'include' })).rejects.toThrow(/Access-Control-Allow-Credentials is not true/);
    expect((await page.fetch(cors('api.example.com', { acao: APP, acac: 'true' }), { credentials: 'include' })).status).toBe(200);
  });
  it('an explicit Origin header on the request is kept', async () => {
    const page = new Browser(selfFetch).context(APP);
    const res = await page.fetch('https://app.example.com/browser/echo', { headers: { Origin: 'https://custom.test' } });
    expect((await headersOf(res)).origin).toBe('https://custom.test');
  });
  it('the CORS TypeError reads like a browser\'s: "Failed to fetch: CORS error", then the reason', async () => {
    const page = new Browser(selfFetch).context(APP);
    await expect(page.fetch('https://api.example.com/browser/echo')).rejects.toThrow(
      /^Failed to fetch: CORS error: request from https:\/\/app\.example\.com to https:\/\/api\.example\.com blocked: the response has no Access-Control-Allow-Origin header$/,
    );
  });
  it('context with a non-origin string throws TypeError', () => {
    expect(() => new Browser(selfFetch).context('not an origin')).toThrow(TypeError);
  });
});

describe('44: preflights', () => {
  const ok = { acao: APP, methods: 'PUT, DELETE', headers: 'X-Custom, Content-Type' };
  it('sent for PUT, for a custom header and for a JSON POST; recorded in lastPreflight', async () => {
    const page = new Browser(selfFetch).context(APP);
    await page.fetch(cors('api.example.com', ok), { method: 'PUT', body: 'x' });
    expect(page.lastPreflight).toEqual({ url: cors('api.example.com', ok), method: 'PUT', headers: [], success: true });
    await page.fetch(cors('api.example.com', ok), { headers: { 'X-Custom': '1' } });
    expect(page.lastPreflight).toMatchObject({ method: 'GET', headers: ['x-custom'], success: true });
    await page.fetch(cors('api.example.com', ok), { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json' } });
    expect(page.lastPreflight).toMatchObject({ method: 'POST', headers: ['content-type'], success: true });
  });
  it('not sent for a form POST, a plain GET or a same-origin PUT', async () => {
    const page = new Browser(selfFetch).context(APP);
    await page.fetch(cors('api.example.com', ok), { method: 'POST', body: 'a=1', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    expect(page.lastPreflight).toBeNull();
    await page.fetch(cors('api.example.com', ok));
    expect(page.lastPreflight).toBeNull();
    await page.fetch('https://app.example.com/browser/echo', { method: 'PUT', body: 'x' });
    expect(page.lastPreflight).toBeNull();
  });
  it('a failed preflight records success: false and throws', async () => {
    const page = new Browser(selfFetch).context(APP);
    await expect(page.fetch(cors('api.example.com', { methods: 'PUT' }), { method: 'PUT' })).rejects.toThrow(/preflight failed: the response has no Access-Control-Allow-Origin/);
    expect(page.lastPreflight).toMatchObject({ method: 'PUT', success: false });
  });
});

describe('45: preflight coverage', () => {
  it('a preflight lacking the requested method or header makes the fetch throw TypeError', async () => {
    const page = new Browser(selfFetch).context(APP);
    await expect(page.fetch(cors('api.example.com', { acao: APP, methods: 'POST' }), { method: 'PUT' })).rejects.toThrow(
      /method PUT is not in Access-Control-Allow-Methods/,
    );
    await expect(page.fetch(cors('api.example.com', { acao: APP, methods: 'PUT', headers: 'x-a' }), { method: 'PUT', headers: { 'X-B': '1' } })).rejects.toThrow(
      /header 'x-b' is not in Access-Control-Allow-Headers/,
    );
    expect(page.lastPreflight!.success).toBe(false);
  });
  it("'*' covers methods and headers only without credentials", async () => {
    const page = new Browser(selfFetch).context(APP);
    expect((await page.fetch(cors('api.example.com', { acao: APP, methods: '*', headers: '*' }), { method: 'PATCH', headers: { 'X-Any': '1' } })).status).toBe(200);
    await expect(
      page.fetch(cors('api.example.com', { acao: APP, acac: 'true', methods: '*' }), { method: 'PATCH', credentials: 'include' }),
    ).rejects.toThrow(/method PATCH is not in Access-Control-Allow-Methods/);
  });
  it('against routeDORequest with an allow-list the full flow passes (preflight, credentials, DO reached)', async () => {
    const browser = new Browser(selfFetch);
    await browser.fetch(`https://api.example.com/browser/set?c=${encodeURIComponent('session=s1; Path=/; SameSite=Lax; Secure')}`);
    const page = browser.context(APP);
    const res = await page.fetch(`https://api.example.com/cors-do/my-do/${unique('flow')}/items`, {
      method: 'POST',
      body: JSON.stringify({ a: 1 }),
      headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'r1' },
      credentials: 'include',
    });
    expect(page.lastPreflight).toMatchObject({ method: 'POST', headers: ['content-type', 'x-request-id'], success: true });
    expect(res.status).toBe(200);
    expect(res.headers.get('Access-Control-Allow-Credentials')).toBe('true');
    const seen = (await res.json()) as { body: string; headers: Record<string, string> };
    expect(seen.body).toBe('{"a":1}');
    expect(seen.headers.origin).toBe(APP);
    expect(seen.headers.cookie).toBe('session=s1'); // same site: example.com
    // A context at a disallowed origin is rejected by the router, and the browser reports it.
    const evil = browser.context('https://evil.test');
    await expect(evil.fetch(`https://api.example.com/cors-do/my-do/${unique('flow')}`, { method: 'PUT' })).rejects.toThrow(/preflight failed/);
    await expect(evil.fetch(`https://api.example.com/cors-do/my-do/${unique('flow')}`)).rejects.toThrow(/no Access-Control-Allow-Origin/);
  });
});

describe('46: SameSite', () => {
  const cookies = [
    'strict=1; Path=/; SameSite=Strict; Secure',
    'lax=2; Path=/; SameSite=Lax; Secure',
    'plain=3; Path=/; Secure',
    'none=4; Path=/; SameSite=None; Secure',
    'insecure-none=5; Path=/; SameSite=None',
  ];
  const setAll = `https://api.example.com/browser/set?${cookies.map((c) => `c=${encodeURIComponent(c)}`).join('&')}`;

  it('a cross-site context request withholds Strict, Lax and attribute-less cookies, and sends None; Secure', async () => {
    const browser = new Browser(selfFetch);
    await browser.fetch(setAll);
    const page = browser.context('https://elsewhere.test');
    const res = await page.fetch(cors('api.example.com', { acao: 'https://elsewhere.test', acac: 'true' }), { credentials: 'include' });
    expect((await headersOf(res)).cookie).toBe('none=4');
  });
  it('a same-site context request (app.example.com to api.example.com) sends all', async () => {
    const browser = new Browser(selfFetch);
    await browser.fetch(setAll);
    const page = browser.context(APP);
    const res = await page.fetch(cors('api.example.com', { acao: APP, acac: 'true' }), { credentials: 'include' });
    expect((await headersOf(res)).cookie).toBe('strict=1; lax=2; plain=3; none=4; insecure-none=5');
  });
  it('plain browser.fetch models a top-level navigation and sends all matching cookies', async () => {
    const browser = new Browser(selfFetch);
    await browser.fetch(setAll);
    const res = await browser.fetch('https://api.example.com/browser/echo');
    expect((await headersOf(res)).cookie).toBe('strict=1; lax=2; plain=3; none=4; insecure-none=5');
  });
  it('cross-origin context requests without credentials: include send no cookies', async () => {
    const browser = new Browser(selfFetch);
    await browser.fetch(setAll);
    const res = await browser.context(APP).fetch(cors('api.example.com', { acao: APP }));
    expect((await headersOf(res)).cookie).toBeUndefined();
  });
});
