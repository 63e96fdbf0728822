/**
 * Secrets stay out of logs (spec fetch §5, §9 item 34): every record the isolate's debug output
 * captured while a proxied and a direct request carrying a secret header, a `?key=` query and a
 * secret body ran is checked for those values. The DOs, the executor and this test share the isolate,
 * so `records` holds their logs too (DEBUG enables lmz.fetch and the mesh hook/worker namespaces).
 */
import { describe, expect, it } from 'vitest';
import { endpointUrl } from './nodes.ts';
import { deliveriesOf, logged, mark, OFFLINE, origin, records, unique } from './helpers.ts';

const SECRET_HEADER = 'Bearer sk-live-HEADER-5f3a9c';
const SECRET_QUERY = 'QUERYKEY-77e1d0';
const SECRET_BODY = 'BODY-SECRET-0c4b2e';

describe('logs (item 34)', () => {
  it('item 34: logs of proxy and direct contain no request headers, bodies or query strings', async () => {
    const name = unique('l34');
    const since = mark();
    const url = endpointUrl(name, `/echo?key=${SECRET_QUERY}`);
    const init = { url, method: 'POST', headers: { Authorization: SECRET_HEADER, 'Content-Type': 'text/plain' }, body: SECRET_BODY };
    const id = await origin(name).proxyRequest(init, { tag: 'p' }, OFFLINE);
    const [p] = await deliveriesOf(name, 'p');
    // The request really carried the secrets (so the check below can fail).
    expect(p.text).toContain(SECRET_BODY);
    expect(p.text).toContain(SECRET_QUERY);
    await origin(name).directTo(endpointUrl(name, `/uuid?key=${SECRET_QUERY}`), { tag: 'd' }, OFFLINE);
    await deliveriesOf(name, 'd');
    await logged('lmz.fetch.Fetch.__settle', 'info', (r) => (r.data as { reqId?: string }).reqId === id, since);
    const captured = records.slice(since);
    expect(captured.filter((r) => r.namespace.startsWith('lmz.fetch.')).length).toBeGreaterThanOrEqual(4);
    const text = JSON.stringify(captured);
    // The URL is logged as origin + path only.
    expect(text).toContain(`/test-endpoints-do/${name}/echo`);
    expect(text).not.toContain(SECRET_HEADER);
    expect(text).not.toContain('sk-live-HEADER');
    expect(text).not.toContain(SECRET_QUERY);
    expect(text).not.toContain(SECRET_BODY);
  });
});
