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

it('59: fails open with no binding (one always-visible error per binding name) and when limit throws (one warning per binding)', async () => {
  const records: DebugLogOutput[] = [];
  // DEBUG filters every debug/info/warn record out: the missing-binding report must still appear.
  debug.configure({ DEBUG: '' });
  debug.setOutput((r) => records.push(r));
  const a = unique('MISSING_A');
  const b = unique('MISSING_B');
  expect(await checkRateLimit(undefined, 'k', a)).toBe(true);
  expect(await checkRateLimit(undefined, 'k', a)).toBe(true);
  expect(await checkRateLimit(undefined, 'k', b)).toBe(true);
  expect(records.map((r) => [r.namespace, r.level, (r.data as { binding?: string }).binding])).toEqual([
    ['lmz.utils.checkRateLimit', 'error', a],
    ['lmz.utils.checkRateLimit', 'error', b],
  ]);
  expect(records[0].message).toBe(`rate-limit binding ${a} is missing; allowing all requests (fail open). Add it to wrangler.jsonc "ratelimits"`);
  records.length = 0;
  debug.configure({ DEBUG: 'lmz.utils' });
  const broken = { limit: () => Promise.reject(new Error('limiter outage')) } as RateLimit;
  const broken2 = { limit: () => { throw new Error('sync failure'); } } as unknown as RateLimit;
  expect(await checkRateLimit(broken, 'k')).toBe(true);
  expect(await checkRateLimit(broken, 'k')).toBe(true);
  expect(await checkRateLimit(broken2, 'k')).toBe(true);
  expect(records.map((r) => [r.namespace, r.level])).toEqual([
    ['lmz.utils.checkRateLimit', 'warn'],
    ['lmz.utils.checkRateLimit', 'warn'],
  ]);
  expect(records[0].message).toMatch(/failed/);
});
