/**
 * createLumenizeRouter (mesh spec §9 item 8, §12 item 99): instance names only, client-supplied
 * X-Auth-* / X-Lumenize-* headers stripped before middleware, routing headers added, hooks
 * short-circuit, unknown bindings 404, foreign paths undefined, optional upgrade allow-list.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createLumenizeRouter } from '../../src/router/index.ts';
import { makeToken, simOnBeforeConnect } from './sim-auth.ts';
import { tab } from './helpers.ts';

const upgrade = (path: string, headers: Record<string, string> = {}) =>
  new Request(`http://test.local${path}`, { headers: { Upgrade: 'websocket', ...headers } });

describe('createLumenizeRouter', () => {
  const router = createLumenizeRouter(env, { onBeforeConnect: simOnBeforeConnect });

  it('answers 400 for a 64-hex instance id (names only)', async () => {
    const res = await router(upgrade(`/gateway/LUMENIZE_CLIENT_GATEWAY/${'a'.repeat(64)}`));
    expect(res?.status).toBe(400);
    expect(await res?.text()).toContain('instance names only');
  });

  it('resolves undefined outside its prefix and 404 for an unknown binding', async () => {
    expect(await router(new Request('http://test.local/other/path'))).toBeUndefined();
    expect(await router(new Request('http://test.local/gatewayx/A/b'))).toBeUndefined();
    const res = await router(upgrade('/gateway/NO_SUCH_BINDING/alice.t1'));
    expect(res?.status).toBe(404);
  });

  it('lets a valid upgrade reach the gateway with both routing headers', async () => {
    const name = `alice.${tab()}`;
    const res = await router(upgrade(`/gateway/MY_GATEWAY/${name}`, { 'Sec-WebSocket-Protocol': `lmz, lmz.access-token.${makeToken('alice')}` }));
    // The gateway answers 403 without the instance header and uses the binding header as identity.
    expect(res?.status).toBe(101);
    const ws = res!.webSocket!;
    const first = new Promise<string>((resolve) => ws.addEventListener('message', (e) => resolve(e.data as string)));
    ws.accept();
    expect(JSON.parse(await first)).toEqual({ type: 'connection_status', subscriptionsLost: false });
    ws.close(1000);
  });

  it('strips client-supplied X-Auth-* and X-Lumenize-* before the middleware runs', async () => {
    const seen: Array<Record<string, string | null>> = [];
    const passThrough = createLumenizeRouter(env, {
      onBeforeConnect: (request) => {
        seen.push({
          user: request.headers.get('X-Auth-User-Id'),
          claims: request.headers.get('X-Auth-Claims'),
          binding: request.headers.get('X-Lumenize-DO-Binding-Name'),
        });
        return undefined;
      },
    });
    const name = `mallory.${tab()}`;
    const res = await passThrough(
      upgrade(`/gateway/LUMENIZE_CLIENT_GATEWAY/${name}`, {
        'X-Auth-User-Id': 'mallory',
        'X-Auth-Claims': '{"role":"admin"}',
        'X-Lumenize-DO-Binding-Name': 'FORGED',
      }),
    );
    expect(seen).toEqual([{ user: null, claims: null, binding: null }]);
    // Without verified identity the gateway refuses: the spoofed header never reached it.
    expect(res?.status).toBe(401);
  });

  it('a middleware Response short-circuits; plain requests use onBeforeRequest', async () => {
    const calls: string[] = [];
    const r = createLumenizeRouter(env, {
      onBeforeConnect: () => new Response('nope', { status: 418 }),
      onBeforeRequest: (request) => {
        calls.push(new URL(request.url).pathname);
        return new Response('blocked', { status: 401 });
      },
    });
    expect((await r(upgrade('/gateway/LUMENIZE_CLIENT_GATEWAY/a.b')))?.status).toBe(418);
    expect((await r(new Request('http://test.local/gateway/ECHO/doc-1')))?.status).toBe(401);
    expect(calls).toEqual(['/gateway/ECHO/doc-1']);
  });

  it('with gatewayBindingName, upgrades to other bindings are refused with 403', async () => {
    const r = createLumenizeRouter(env, { onBeforeConnect: simOnBeforeConnect, gatewayBindingName: 'LUMENIZE_CLIENT_GATEWAY' });
    const res = await r(upgrade(`/gateway/ECHO/alice.${tab()}`, { 'Sec-WebSocket-Protocol': `lmz, lmz.access-token.${makeToken('alice')}` }));
    expect(res?.status).toBe(403);
  });

  it('requires onBeforeConnect', () => {
    expect(() => createLumenizeRouter(env, {} as never)).toThrow('onBeforeConnect');
  });
});
