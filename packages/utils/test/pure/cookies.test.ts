/** Cookie helpers (run in Node and in workerd): spec §9 items 33–35. */
import { describe, expect, it } from 'vitest';
import { cookieMatches, getCookieValue, parseCookieHeader, parseSetCookie, parseSetCookies, serializeCookies, type Cookie } from '../../src/index.ts';

describe('33: parseSetCookie', () => {
  it('keeps abc=def as the value of name=abc=def, and it round-trips whole', () => {
    const c = parseSetCookie('name=abc=def');
    expect(c).toEqual({ name: 'name', value: 'abc=def' });
    expect(serializeCookies([c!])).toBe('name=abc=def');
    expect(getCookieValue(serializeCookies([c!]), 'name')).toBe('abc=def');
  });
  it('parses every attribute (names case-insensitive)', () => {
    const c = parseSetCookie(' sid = v1 ; DOMAIN=.Example.COM; path=/app; EXPIRES=Wed, 21 Oct 2037 07:28:00 GMT; secure; HTTPONLY; SameSite=Strict');
    expect(c).toEqual({
      name: 'sid',
      value: 'v1',
      domain: 'example.com',
      path: '/app',
      expires: new Date('2037-10-21T07:28:00Z'),
      secure: true,
      httpOnly: true,
      sameSite: 'Strict',
    });
  });
  it('Max-Age beats Expires; zero or less means already expired', () => {
    const past = 'Expires=Thu, 01 Jan 1970 00:00:00 GMT';
    const live = parseSetCookie(`a=1; ${past}; Max-Age=3600`)!;
    expect(live.maxAge).toBe(3600);
    expect(cookieMatches(live, 'a.test', '/')).toBe(true);
    const dead = parseSetCookie('a=1; Expires=Wed, 21 Oct 2037 07:28:00 GMT; Max-Age=0')!;
    expect(cookieMatches(dead, 'a.test', '/')).toBe(false);
    expect(cookieMatches(parseSetCookie('a=1; Max-Age=-5')!, 'a.test', '/')).toBe(false);
  });
  it('lower-case samesite=lax becomes Lax; none → None; unknown values are ignored', () => {
    expect(parseSetCookie('a=1; samesite=lax')!.sameSite).toBe('Lax');
    expect(parseSetCookie('a=1; SAMESITE=none')!.sameSite).toBe('None');
    expect(parseSetCookie('a=1; SameSite=sometimes')!.sameSite).toBeUndefined();
  });
  it('bad attributes are ignored, not fatal', () => {
    expect(parseSetCookie('a=1; Path=relative; Max-Age=1.5; Expires=not a date; Domain=; Unknown=x')).toEqual({ name: 'a', value: '1' });
  });
  it('empty input, no =, or an empty name give null', () => {
    expect(parseSetCookie('')).toBeNull();
    expect(parseSetCookie('novalue')).toBeNull();
    expect(parseSetCookie('=abc')).toBeNull();
    expect(parseSetCookie('  =abc; Path=/')).toBeNull();
  });
  it('parseSetCookies drops nulls; serializeCookies joins with "; "', () => {
    const list = parseSetCookies(['a=1; Path=/', 'bad', 'b=2=3']);
    expect(list.map((c) => c.name)).toEqual(['a', 'b']);
    expect(serializeCookies(list)).toBe('a=1; b=2=3');
    expect(serializeCookies([])).toBe('');
  });
});

describe('34: cookieMatches', () => {
  const base: Cookie = { name: 'a', value: '1' };
  it('host-only cookies match only the identical host', () => {
    const c: Cookie = { ...base, domain: 'example.com', hostOnly: true };
    expect(cookieMatches(c, 'example.com', '/')).toBe(true);
    expect(cookieMatches(c, 'a.example.com', '/')).toBe(false);
  });
  it('.example.com matches a.example.com but not evilexample.com', () => {
    const c = parseSetCookie('a=1; Domain=.example.com')!;
    expect(cookieMatches(c, 'example.com', '/')).toBe(true);
    expect(cookieMatches(c, 'a.example.com', '/')).toBe(true);
    expect(cookieMatches(c, 'A.Example.com', '/')).toBe(true);
    expect(cookieMatches(c, 'evilexample.com', '/')).toBe(false);
    expect(cookieMatches(c, 'example.com.evil.test', '/')).toBe(false);
  });
  it('/foo matches /foo, /foo/ and /foo/bar but not /foobar', () => {
    const c: Cookie = { ...base, path: '/foo' };
    expect(cookieMatches(c, 'a.test', '/foo')).toBe(true);
    expect(cookieMatches(c, 'a.test', '/foo/')).toBe(true);
    expect(cookieMatches(c, 'a.test', '/foo/bar')).toBe(true);
    expect(cookieMatches(c, 'a.test', '/foobar')).toBe(false);
    expect(cookieMatches(c, 'a.test', '/')).toBe(false);
  });
  it('expired cookies never match', () => {
    expect(cookieMatches({ ...base, expires: new Date(0) }, 'a.test', '/')).toBe(false);
    expect(cookieMatches({ ...base, expires: new Date(Date.now() + 60_000) }, 'a.test', '/')).toBe(true);
  });
  it('Secure needs isSecure unless the host is localhost, 127.0.0.1 or ::1', () => {
    const c: Cookie = { ...base, secure: true };
    expect(cookieMatches(c, 'a.test', '/', false)).toBe(false);
    expect(cookieMatches(c, 'a.test', '/', true)).toBe(true);
    expect(cookieMatches(c, 'a.test', '/')).toBe(true);
    for (const host of ['localhost', '127.0.0.1', '::1']) expect(cookieMatches(c, host, '/', false)).toBe(true);
  });
});

describe('35: parseCookieHeader and getCookieValue', () => {
  it('return abc=def for refresh-token=abc=def', () => {
    expect(parseCookieHeader('refresh-token=abc=def').get('refresh-token')).toBe('abc=def');
    expect(getCookieValue('a=1; refresh-token=abc=def', 'refresh-token')).toBe('abc=def');
  });
  it('first occurrence wins; whitespace trimmed; quotes kept', () => {
    const map = parseCookieHeader('  a=1 ;a=2;  b="q=1" ; ;junk; =x');
    expect([...map]).toEqual([
      ['a', '1'],
      ['b', '"q=1"'],
    ]);
  });
  it('missing name, empty or absent header give null', () => {
    expect(getCookieValue('a=1', 'b')).toBeNull();
    expect(getCookieValue('', 'a')).toBeNull();
    expect(getCookieValue(null, 'a')).toBeNull();
    expect(parseCookieHeader(undefined).size).toBe(0);
  });
});
