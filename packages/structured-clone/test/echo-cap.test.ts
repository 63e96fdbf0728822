/**
 * Spec §5 (issue 12, smaller defects): decode and init errors never quote a header value (it may be
 * a token or a cookie) and no message quotes more than MAX_ECHO_CHARS (100) characters of input.
 * Input is written with a marker character (§) our own messages never contain, so counting it
 * counts quoted input exactly.
 */
import { describe, expect, it } from 'vitest';
import { decodeRequestSync, decodeResponseSync, parse, postprocess, RequestSync, ResponseSync, type LmzIntermediate } from '../src/index.ts';
import { thrown } from './helpers.ts';

const SECRET = 'Bearer SECRET-TOKEN-0123456789';
const badValue = `${SECRET}\u0000tail`; // NUL is refused in header values everywhere
const long = '§'.repeat(300);
const quoted = (message: string) => [...message].filter((c) => c === '§').length;

function decodeMessage(data: unknown): string {
  const message = thrown(() => postprocess(data as LmzIntermediate)).message;
  expect(thrown(() => parse(JSON.stringify(data))).message).toBe(message);
  return message;
}

const table = (...objects: unknown[]) => ({ root: ['$lmz', 0], objects });

describe('error messages quote no header value and at most 100 characters of input', () => {
  it('a refused header value is never quoted (table decoder); the name is', () => {
    const message = decodeMessage(table(['headers', [['authorization', badValue]]]));
    expect(message).not.toContain('SECRET');
    expect(message).toContain('"authorization"');
    expect(message).toContain('values are never shown');
  });

  it('a bad header name is quoted at most 100 characters and its value never', () => {
    const message = decodeMessage(table(['headers', [[`bad name ${long}`, SECRET]]]));
    expect(message).not.toContain('SECRET');
    expect(message).toContain('not a valid header name');
    expect(quoted(message)).toBeLessThanOrEqual(100);
  });

  it('the RequestSync/ResponseSync codecs and constructors never quote a header value', () => {
    const request = { url: 'https://a.test/', method: 'GET', headers: [['authorization', badValue]], body: null };
    const response = { status: 200, statusText: '', headers: [['set-cookie', badValue]], body: null };
    for (const fn of [
      () => decodeRequestSync(request as never),
      () => decodeResponseSync(response as never),
      () => new RequestSync('https://a.test/', { headers: [['authorization', badValue]] }),
      () => new RequestSync('https://a.test/', { headers: { authorization: badValue } }),
      () => new ResponseSync(null, { headers: [['set-cookie', badValue]] }),
    ]) {
      const error = thrown(fn);
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).not.toContain('SECRET');
      expect(error.message).toMatch(/header "(authorization|set-cookie)" has a value/);
    }
  });

  it('no decode error quotes more than 100 characters of input, whatever field carries it', () => {
    const payloads: unknown[] = [
      table([long, {}]),
      { root: [long], objects: [] },
      table(['array', [[long, 1]]]),
      table(['date', long]),
      table(['regexp', { source: 'a', flags: long }]),
      table(['regexp', { source: `(${long}`, flags: '' }]),
      table(['url', { href: long }]),
      table(['headers', [[`a b${long}`, long]]]),
      table(['headers', [long]]),
      table(['map', [long]]),
      table(['number-object', long]),
      table(['bigint-object', long]),
      table(['arraybuffer', { type: long, data: '' }]),
      table(['error', { name: long, message: 1 }]),
      table(['array', [['number', long]]]),
      table(['array', [['bigint', long]]]),
      table(long),
    ];
    for (const data of payloads) expect(quoted(decodeMessage(data)), JSON.stringify(data).slice(0, 60)).toBeLessThanOrEqual(100);
  });
});
