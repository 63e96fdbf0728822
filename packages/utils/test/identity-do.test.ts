/** The README's identity example (a DO storing its routing identity) runs as a test: spec §9 item 56. */
import { runDurableObjectAlarm } from 'cloudflare:test';
import { expect, it } from 'vitest';
import { routeDORequest } from '../src/index.ts';
import { unique } from './helpers.ts';
import { env } from './test-env.ts';

it('56: the first routed request stores binding and instance; a later alarm and RPC call read them', async () => {
  const name = unique('identity');
  const res = await routeDORequest(new Request(`https://app.test/identity-do/${name}`), env);
  expect(await res!.text()).toBe('ok');
  const stub = env.IDENTITY_DO.getByName(name);
  expect(await stub.identity()).toEqual({ bindingName: 'IDENTITY_DO', instanceNameOrId: name, lastAlarmRanAs: undefined });

  // Only stored when absent: a later request with other header values (bypassing the router) changes nothing.
  await stub.fetch('https://app.test/x', { headers: { 'X-Lumenize-DO-Binding-Name': 'OTHER', 'X-Lumenize-DO-Instance-Name-Or-Id': 'other' } });
  expect(await runDurableObjectAlarm(stub)).toBe(true);
  expect(await stub.identity()).toEqual({ bindingName: 'IDENTITY_DO', instanceNameOrId: name, lastAlarmRanAs: `IDENTITY_DO/${name}` });
});
