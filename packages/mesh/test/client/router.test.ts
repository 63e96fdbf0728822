/**
 * createLumenizeRouter (mesh spec §9 item 8, §12 item 99; issue 12 item 11): closed by default
 * (only the gateway and the listed bindings; unlisted answers like missing), instance names only
 * unless allowIdAddressing, client-supplied X-Auth-* / X-Lumenize-* headers stripped before
 * middleware, routing headers added, hooks short-circuit, foreign paths undefined, optional
 * upgrade allow-list.
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

  it('lets a valid upgrade reach a listed gateway with both routing headers', async () => {
    const name = `alice.${tab()}`;
    const listed = createLumenizeRouter(env, { onBeforeConnect: simOnBeforeConnect, bindings: ['MY_GATEWAY'] });
    const res = await listed(upgrade(`/gateway/MY_GATEWAY/${name}`, { 'Sec-WebSocket-Protocol': `lmz, lmz.access-token.${makeToken('alice')}` }));
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
      bindings: ['ECHO'],
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
    const r = createLumenizeRouter(env, { onBeforeConnect: simOnBeforeConnect, gatewayBindingName: 'LUMENIZE_CLIENT_GATEWAY', bindings: ['ECHO'] });
    const res = await r(upgrade(`/gateway/ECHO/alice.${tab()}`, { 'Sec-WebSocket-Protocol': `lmz, lmz.access-token.${makeToken('alice')}` }));
    expect(res?.status).toBe(403);
  });

  it('requires onBeforeConnect and rejects malformed bindings, gatewayBindingName and allowIdAddressing', () => {
    expect(() => createLumenizeRouter(env, {} as never)).toThrow('onBeforeConnect');
    const base = { onBeforeConnect: simOnBeforeConnect };
    expect(() => createLumenizeRouter(env, { ...base, bindings: 'ECHO' as never })).toThrow(/options\.bindings/);
    expect(() => createLumenizeRouter(env, { ...base, bindings: [''] })).toThrow(/options\.bindings/);
    expect(() => createLumenizeRouter(env, { ...base, gatewayBindingName: [42] as never })).toThrow(/gatewayBindingName/);
    expect(() => createLumenizeRouter(env, { ...base, allowIdAddressing: 'yes' as never })).toThrow(/allowIdAddressing/);
  });
});

describe('createLumenizeRouter is closed by default', () => {
  const seen: string[] = [];
  const recordHook = (request: Request, context: { doBindingName: string; doInstanceNameOrId: string }) => {
    seen.push(`${request.method} ${context.doBindingName}/${context.doInstanceNameOrId}`);
    return new Response('hook', { status: 299 });
  };

  it('an existing but unlisted DO answers exactly like a missing binding, and no hook or DO runs', async () => {
    const r = createLumenizeRouter(env, { onBeforeConnect: recordHook, onBeforeRequest: recordHook });
    const unlisted = await r(new Request('http://test.local/gateway/ECHO/doc-1'));
    const missing = await r(new Request('http://test.local/gateway/NO_ECHO/doc-1'));
    expect(unlisted?.status).toBe(404);
    expect(missing?.status).toBe(404);
    expect((await unlisted!.text()).replace('ECHO', 'X')).toBe((await missing!.text()).replace('NO_ECHO', 'X'));
    // Another gateway class is a DO like any other: not reachable unless listed.
    expect((await r(upgrade(`/gateway/MY_GATEWAY/alice.${tab()}`)))?.status).toBe(404);
    expect((await r(new Request('http://test.local/gateway/echo')))?.status).toBe(404);
    expect(seen).toEqual([]);
    // The default gateway stays reachable.
    expect((await r(upgrade(`/gateway/LUMENIZE_CLIENT_GATEWAY/alice.${tab()}`)))?.status).toBe(299);
    expect(seen).toHaveLength(1);
    seen.length = 0;
  });

  it('listed bindings (exact or kebab form) are reachable over HTTP', async () => {
    const exact = createLumenizeRouter(env, { onBeforeConnect: recordHook, onBeforeRequest: recordHook, bindings: ['ECHO'] });
    expect((await exact(new Request('http://test.local/gateway/ECHO/doc-2')))?.status).toBe(299);
    const kebab = createLumenizeRouter(env, { onBeforeConnect: recordHook, onBeforeRequest: recordHook, bindings: ['echo'] });
    expect((await kebab(new Request('http://test.local/gateway/echo/doc-3')))?.status).toBe(299);
    expect(seen).toEqual(['GET ECHO/doc-2', 'GET ECHO/doc-3']);
    seen.length = 0;
  });

  it('an explicit gatewayBindingName replaces the default gateway', async () => {
    const r = createLumenizeRouter(env, { onBeforeConnect: recordHook, gatewayBindingName: 'MY_GATEWAY' });
    expect((await r(upgrade(`/gateway/LUMENIZE_CLIENT_GATEWAY/alice.${tab()}`)))?.status).toBe(404);
    expect((await r(upgrade(`/gateway/MY_GATEWAY/alice.${tab()}`)))?.status).toBe(299);
    seen.length = 0;
  });

  it('64-hex ids are refused (400) unless allowIdAddressing: true', async () => {
    const id = env.ECHO.newUniqueId().toString();
    const closed = createLumenizeRouter(env, { onBeforeConnect: recordHook, onBeforeRequest: recordHook, bindings: ['ECHO'] });
    const refused = await closed(new Request(`http://test.local/gateway/ECHO/${id}`));
    expect(refused?.status).toBe(400);
    expect(await refused?.text()).toContain('instance names only');
    expect(seen).toEqual([]);
    const open = createLumenizeRouter(env, { onBeforeConnect: recordHook, onBeforeRequest: recordHook, bindings: ['ECHO'], allowIdAddressing: true });
    expect((await open(new Request(`http://test.local/gateway/ECHO/${id}`)))?.status).toBe(299);
    expect(seen).toEqual([`GET ECHO/${id}`]);
    seen.length = 0;
  });
});
