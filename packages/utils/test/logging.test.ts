/** Log points under lmz.utils.*: spec §9 item 57 (and §5: no cookie values or Authorization in logs). */
import { SELF } from 'cloudflare:test';
import { afterEach, expect, it } from 'vitest';
import { debug, type DebugLogOutput } from '@lumenize/debug';
import { Browser, getWebSocketShim, routeDORequest } from '../src/index.ts';
import { unique } from './helpers.ts';
import { env } from './test-env.ts';

afterEach(() => debug.reset());
const selfFetch = SELF.fetch.bind(SELF) as typeof fetch;

async function exercise(): Promise<void> {
  const cors = { origin: ['https://app.test'] };
  const bindings = ['MY_DO'];
  await (await routeDORequest(new Request(`https://api.test/my-do/${unique('log')}`), env, { cors, bindings }))!.text();
  await routeDORequest(new Request(`https://api.test/my-do/${unique('log')}`, { headers: { Origin: 'https://evil.test' } }), env, { cors, bindings });
  await routeDORequest(new Request(`https://api.test/my-do/x`, { method: 'OPTIONS', headers: { Origin: 'https://app.test' } }), env, { cors, bindings });
  await routeDORequest(new Request(`https://api.test/my-do/x`), env, { bindings, onBeforeRequest: () => new Response('no', { status: 401 }) });
  const browser = new Browser(selfFetch);
  const secretCookie = 'session=SECRET-COOKIE-VALUE; Path=/';
  await browser.fetch(`https://a.test/browser/redirect?status=302&to=/browser/echo&c=${encodeURIComponent(secretCookie)}&c=bad`, {
    headers: { Authorization: 'Bearer SECRET-TOKEN' },
  });
  await browser.context('https://app.test').fetch('https://api.test/browser/echo').catch(() => undefined);
  const WS = getWebSocketShim(selfFetch);
  await new Promise<void>((resolve) => {
    const ws = new WS(`wss://app.test/my-do/${unique('log-ws')}`);
    ws.onopen = () => ws.close();
    ws.onclose = () => resolve();
  });
  await new Promise<void>((resolve) => {
    const ws = new WS('wss://app.test/no-binding/x');
    ws.onclose = () => resolve();
  });
}

it('57: with DEBUG=lmz.utils.* routing, origin rejection, Browser and shim emit records under those namespaces', async () => {
  const records: DebugLogOutput[] = [];
  debug.configure({ DEBUG: 'lmz.utils.*' });
  debug.setOutput((r) => records.push(r));
  await exercise();
  const seen = records.map((r) => `${r.namespace} ${r.level} ${r.message}`);
  expect(seen).toEqual(
    expect.arrayContaining([
      'lmz.utils.routeDORequest debug routed',
      'lmz.utils.routeDORequest warn origin rejected',
      'lmz.utils.routeDORequest debug preflight allowed',
      'lmz.utils.routeDORequest debug hook answered; DO not called',
      'lmz.utils.Browser debug redirect followed',
      'lmz.utils.Browser debug cookie stored',
      'lmz.utils.Browser debug cookie ignored',
      'lmz.utils.Browser warn CORS validation failed',
      'lmz.utils.WebSocketShim debug upgrade sent',
      'lmz.utils.WebSocketShim warn upgrade refused',
    ]),
  );
  for (const r of records) expect(r.namespace.startsWith('lmz.utils.')).toBe(true);
  const text = JSON.stringify(records);
  expect(text).not.toContain('SECRET-COOKIE-VALUE');
  expect(text).not.toContain('SECRET-TOKEN');
});

it('57: with DEBUG unset nothing is logged', async () => {
  const records: DebugLogOutput[] = [];
  debug.configure({});
  debug.setOutput((r) => records.push(r));
  await exercise();
  expect(records).toEqual([]);
});
