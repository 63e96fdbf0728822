import { describe, expect, it } from 'vitest';
import { endpointUrl } from './nodes.ts';
import { deliveriesOf, endpoints, OFFLINE, origin, unique } from './helpers.ts';

describe('proxy basics', () => {
  it('item 2: /uuid delivers a ResponseSync with ok, 200 and json().uuid; count 1', async () => {
    const name = unique('p2');
    const id = await origin(name).proxyTo(endpointUrl(name, '/uuid'), { tag: 't' }, OFFLINE);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const [d] = await deliveriesOf(name, 't');
    expect(d).toMatchObject({ kind: 'response', ok: true, status: 200 });
    expect(JSON.parse(d.text!).uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(await endpoints(name).requestCount()).toBe(1);
  });
});
