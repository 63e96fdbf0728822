/**
 * `@lumenize/debug/lite` (issue 18 item 3: logging in browser bundles is a flag check when off).
 * Before `@lumenize/debug` is loaded, a lite logger's filtered levels print nothing and `error`
 * reaches `console.error`; once it is loaded, the same logger follows every rule of the full one.
 * Node only: the first test needs a module graph without debug.ts, which vitest's per-file
 * isolation gives here.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { debug as lite } from '../src/lite.ts';
import type { DebugLogOutput } from '../src/types.ts';

const log = lite('MyApp.lite');

afterEach(() => vi.restoreAllMocks());

describe('@lumenize/debug/lite', () => {
  it('without @lumenize/debug: debug/info/warn print only a one-time hint, error goes to console.error, enabled is false', () => {
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
    const consoleInfo = vi.spyOn(console, 'info').mockImplementation(() => {});
    const consoleOther = [vi.spyOn(console, 'debug'), vi.spyOn(console, 'warn'), vi.spyOn(console, 'log')];
    const before = process.env.DEBUG;
    process.env.DEBUG = 'MyApp';
    try {
      log.debug('d', { a: 1 });
      log.info('i');
      log.warn('w');
      const detached = log.error;
      const cause = new Error('boom');
      detached('sync failed', { cause });
      expect(log.enabled).toBe(false);
      expect(consoleOther.every((s) => s.mock.calls.length === 0)).toBe(true);
      expect(consoleInfo.mock.calls).toEqual([["DEBUG is set, but @lumenize/debug is not loaded: import '@lumenize/debug' once to see filtered logs"]]);
      expect(consoleError.mock.calls).toEqual([['[MyApp.lite] sync failed', { cause }]]);
    } finally {
      if (before === undefined) delete process.env.DEBUG;
      else process.env.DEBUG = before;
    }
  });

  it('once @lumenize/debug is loaded, the same logger filters by DEBUG and writes full records to the sink', async () => {
    const { debug } = await import('../src/index.ts');
    const records: DebugLogOutput[] = [];
    debug.setOutput((r) => records.push(r));
    try {
      debug.configure({ DEBUG: 'MyApp.lite:info' });
      log.debug('hidden');
      log.info('shown');
      log.warn('with data', { n: 1n });
      log.error('always');
      expect(log.enabled).toBe(true);
      expect(records.map((r) => [r.level, r.namespace, r.message, 'data' in r ? r.data : '(none)'])).toEqual([
        ['info', 'MyApp.lite', 'shown', '(none)'],
        ['warn', 'MyApp.lite', 'with data', { n: '1n' }],
        ['error', 'MyApp.lite', 'always', '(none)'],
      ]);
      expect(() => lite('')).toThrow(TypeError);
    } finally {
      debug.reset();
    }
  });
});
