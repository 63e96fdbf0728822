/** Item 20 of spec/debug.md: a real Durable Object with `#log = debug(this)` and DEBUG in its bindings. */
import { env } from 'cloudflare:test';
import { afterEach, expect, it } from 'vitest';
import { debug, type DebugLogOutput } from '../src/index.ts';

afterEach(() => debug.reset());

it('20: a DO class-field logger configured from env.DEBUG=MyDO emits an info record', async () => {
  const records: DebugLogOutput[] = [];
  debug.setOutput((r) => records.push(r));
  const stub = env.MY_DO.get(env.MY_DO.idFromName('item-20'));
  const res = await stub.fetch('https://do/hello');
  expect(await res.text()).toBe('ok');
  expect(records).toHaveLength(1);
  expect(records[0]).toMatchObject({ type: 'debug', level: 'info', namespace: 'MyDO.fetch', message: 'handled', data: { path: '/hello' } });
});
