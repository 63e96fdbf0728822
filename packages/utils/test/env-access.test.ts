/** §8 mechanics without timing: spec §9 item 58. */
import { expect, it } from 'vitest';
import { routeDORequest } from '../src/index.ts';
import { report } from './helpers.ts';
import { env } from './test-env.ts';

function countingEnv(target: object) {
  const counts = { get: 0, ownKeys: 0, has: 0, descriptor: 0 };
  const proxy = new Proxy(target, {
    get(t, k, r) {
      counts.get++;
      return Reflect.get(t, k, r);
    },
    ownKeys(t) {
      counts.ownKeys++;
      return Reflect.ownKeys(t);
    },
    has(t, k) {
      counts.has++;
      return Reflect.has(t, k);
    },
    getOwnPropertyDescriptor(t, k) {
      counts.descriptor++;
      return Reflect.getOwnPropertyDescriptor(t, k);
    },
  });
  return { proxy, counts };
}

it('58: a non-matching path reads no property of env', async () => {
  const { proxy, counts } = countingEnv({ MY_DO: env.MY_DO, USER_SESSION: env.USER_SESSION });
  expect(await routeDORequest(new Request('https://app.test/other/my-do/x'), proxy, { prefix: 'api' })).toBeUndefined();
  expect(await routeDORequest(new Request('https://app.test/api'), proxy, { prefix: 'api' })).toBeUndefined();
  expect(await routeDORequest(new Request('https://app.test/'), proxy)).toBeUndefined();
  expect(counts).toEqual({ get: 0, ownKeys: 0, has: 0, descriptor: 0 });
});

it('58: 100 matching requests against the same env enumerate its keys once', async () => {
  const { proxy, counts } = countingEnv({ MY_DO: env.MY_DO, USER_SESSION: env.USER_SESSION, SOME_VAR: 'x' });
  for (let i = 0; i < 100; i++) {
    const res = await routeDORequest(new Request(`https://app.test/my-do/enum-${i % 3}`), proxy);
    await report(res);
  }
  expect(counts.ownKeys).toBe(1);
});
