/** checkRateLimit against Miniflare's real rate-limit binding: spec §9 item 59. */
import { env } from './test-env.ts';
import { afterEach, expect, it } from 'vitest';
import { debug, type DebugLogOutput } from '@lumenize/debug';
import { checkRateLimit } from '../src/index.ts';
import { unique } from './helpers.ts';

afterEach(() => debug.reset());

it('59: resolves true while under the limit and false past it, per key (limit 3)', async () => {
  const key = unique('rl');
  const results: boolean[] = [];
  for (let i = 0; i < 5; i++) results.push(await checkRateLimit(env.RATE_LIMITER, key));
  expect(results).toEqual([true, true, true, false, false]);
  expect(await checkRateLimit(env.RATE_LIMITER, unique('other-key'))).toBe(true);
});

it('59: fails open with no binding and when limit throws, warning once per binding', async () => {
  const records: DebugLogOutput[] = [];
  debug.configure({ DEBUG: 'lmz.utils' });
  debug.setOutput((r) => records.push(r));
  expect(await checkRateLimit(undefined, 'k')).toBe(true);
  expect(await checkRateLimit(undefined, 'k')).toBe(true);
  const broken = { limit: () => Promise.reject(new Error('limiter outage')) } as RateLimit;
  const broken2 = { limit: () => { throw new Error('sync failure'); } } as unknown as RateLimit;
  expect(await checkRateLimit(broken, 'k')).toBe(true);
  expect(await checkRateLimit(broken, 'k')).toBe(true);
  expect(await checkRateLimit(broken2, 'k')).toBe(true);
  expect(records.map((r) => [r.namespace, r.level])).toEqual([
    ['lmz.utils.checkRateLimit', 'warn'],
    ['lmz.utils.checkRateLimit', 'warn'],
    ['lmz.utils.checkRateLimit', 'warn'],
  ]);
  expect(records[0].message).toMatch(/missing/);
  expect(records[1].message).toMatch(/failed/);
});
