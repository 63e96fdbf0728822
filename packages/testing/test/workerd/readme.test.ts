/**
 * The example of packages/testing/README.md, run as a test. The `it` body is the README's verbatim;
 * the README declares `env` and `MyDO` so it type-checks alone, this file imports them.
 */
import { expect, it } from 'vitest';
import { Browser, createTestingClient, hibernate } from '../../src/index.ts';
import type { MyDO } from '../fixtures/my-do.ts';
import { testEnv as env } from '../env.ts';

it('counts through the Worker, the DO and RPC, across hibernation', async () => {
  using client = createTestingClient<typeof MyDO>('MY_DO', 'readme-example');
  await client.ctx.storage.kv.put('count', 10); // write DO storage through the Worker
  const browser = new Browser(); // cookie-aware fetch over SELF.fetch
  expect(await (await browser.fetch('https://app.test/my-do/readme-example/increment')).text()).toBe('11');
  await hibernate(env.MY_DO.getByName('readme-example')); // drop the instance, keep storage and sockets
  expect(await client.increment()).toBe(12); // a fresh instance answers
  expect(await client.ctx.storage.kv.get('count')).toBe(12);
});
