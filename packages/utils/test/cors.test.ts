/** Server-side CORS in routeDORequest against real DOs: spec §9 items 18–27. */
import { describe, expect, it } from 'vitest';
import { routeDORequest, type CorsOptions } from '../src/index.ts';
import { report, unique } from './helpers.ts';
import { env } from './test-env.ts';

const APP = 'https://app.test';
const ALLOW_LIST: CorsOptions = { origin: [APP, 'http://localhost:5173', 'null'] };
const calls = (name: string) => env.MY_DO.getByName(name).calls();
const get = (name: string, headers: Record<string, string> = {}, init: RequestInit = {}) =>
  new Request(`https://api.test/my-do/${name}`, { ...init, headers });

describe('18: cors absent or false', () => {
  for (const cors of [undefined, false] as const) {
    it(`cors ${String(cors)}: no CORS headers, any origin reaches the DO, OPTIONS reaches the DO`, async () => {
      const name = unique('cors-off');
      const res = await routeDORequest(get(name, { Origin: 'https://evil.test' }), env, { cors });
      expect(res!.status).toBe(200);
      expect(res!.headers.get('Access-Control-Allow-Origin')).toBeNull();
      expect((await report(res)).headers.origin).toBe('https://evil.test');
      const options = await routeDORequest(get(name, { Origin: 'https://evil.test', 'Access-Control-Request-Method': 'PUT' }, { method: 'OPTIONS' }), env, { cors });
      expect((await report(options)).method).toBe('OPTIONS');
      expect(await calls(name)).toBe(2);
    });
  }
});

describe('19: cors true', () => {
  it('reflects any origin and never sets Access-Control-Allow-Credentials', async () => {
    for (const origin of ['https://evil.test', 'http://localhost:1234', 'null']) {
      const res = await routeDORequest(get(unique('any'), { Origin: origin }), env, { cors: true });
      expect(res!.status).toBe(200);
      expect(res!.headers.get('Access-Control-Allow-Origin')).toBe(origin);
      expect(res!.headers.get('Access-Control-Allow-Credentials')).toBeNull();
      expect(res!.headers.get('Vary')).toBe('Origin');
    }
  });
});

describe('allow-list', () => {
  it('20: a listed origin gets Access-Control-Allow-Origin and Vary: Origin; Vary: Accept from the DO is merged', async () => {
    const res = await routeDORequest(get(unique('listed'), { Origin: APP }), env, { cors: ALLOW_LIST });
    expect(res!.headers.get('Access-Control-Allow-Origin')).toBe(APP);
    expect(res!.headers.get('Vary')).toBe('Origin');
    expect(res!.statusText).toBe('Fine');
    const vary = await routeDORequest(new Request(`https://api.test/my-do/${unique('vary')}/vary`, { headers: { Origin: APP } }), env, { cors: ALLOW_LIST });
    expect(vary!.headers.get('Vary')).toBe('Accept, Origin');
  });

  it('21: an unlisted origin gets 403 Forbidden: Origin not allowed for HTTP and for WebSocket upgrades; the DO is not called', async () => {
    const name = unique('unlisted');
    const res = await routeDORequest(get(name, { Origin: 'https://evil.test' }), env, { cors: ALLOW_LIST });
    expect(res!.status).toBe(403);
    expect(await res!.text()).toBe('Forbidden: Origin not allowed');
    expect(res!.headers.get('Access-Control-Allow-Origin')).toBeNull();
    let hookRan = false;
    const ws = await routeDORequest(get(name, { Origin: 'https://evil.test', Upgrade: 'websocket' }), env, {
      cors: ALLOW_LIST,
      onBeforeConnect: () => void (hookRan = true),
    });
    expect(ws!.status).toBe(403);
    expect(ws!.webSocket).toBeNull();
    expect(await ws!.text()).toBe('Forbidden: Origin not allowed');
    expect(hookRan).toBe(false);
    expect(await calls(name)).toBe(0);
  });

  it('22: a same-origin request is allowed without being listed', async () => {
    const res = await routeDORequest(get(unique('same'), { Origin: 'https://api.test' }), env, { cors: { origin: [] } });
    expect(res!.status).toBe(200);
    expect(res!.headers.get('Access-Control-Allow-Origin')).toBe('https://api.test');
  });

  it('requests without Origin are forwarded untouched; OPTIONS without Origin goes to the DO', async () => {
    const name = unique('no-origin');
    const res = await routeDORequest(get(name), env, { cors: ALLOW_LIST });
    expect(res!.headers.get('Access-Control-Allow-Origin')).toBeNull();
    expect(res!.headers.get('Vary')).toBeNull();
    expect((await report(await routeDORequest(get(name, {}, { method: 'OPTIONS' }), env, { cors: ALLOW_LIST }))).method).toBe('OPTIONS');
  });
});

describe('23: preflight', () => {
  it('from an allowed origin: 204, echoed method and headers, Max-Age 600, DO not called', async () => {
    const name = unique('preflight');
    const res = await routeDORequest(
      get(name, { Origin: APP, 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'content-type, x-custom' }, { method: 'OPTIONS' }),
      env,
      { cors: ALLOW_LIST },
    );
    expect(res!.status).toBe(204);
    expect(Object.fromEntries(res!.headers)).toEqual({
      'access-control-allow-origin': APP,
      'access-control-allow-methods': 'PUT',
      'access-control-allow-headers': 'content-type, x-custom',
      'access-control-max-age': '600',
      vary: 'Origin',
    });
    expect(await calls(name)).toBe(0);
  });

  it('from a disallowed origin: 204 with no CORS headers, DO not called', async () => {
    const name = unique('preflight-bad');
    const res = await routeDORequest(get(name, { Origin: 'https://evil.test', 'Access-Control-Request-Method': 'PUT' }, { method: 'OPTIONS' }), env, {
      cors: ALLOW_LIST,
    });
    expect(res!.status).toBe(204);
    expect([...res!.headers.keys()].filter((k) => k.startsWith('access-control'))).toEqual([]);
    expect(await calls(name)).toBe(0);
  });
});

describe('24: validator function', () => {
  it('receives origin and request; true allows, false rejects; it can inspect headers and method', async () => {
    const seen: { origin: string; method: string; url: string }[] = [];
    const cors: CorsOptions = {
      origin: (origin, request) => {
        seen.push({ origin, method: request.method, url: request.url });
        return origin.endsWith('.partner.test') && request.headers.get('X-Partner') === 'yes' && request.method !== 'DELETE';
      },
    };
    const name = unique('validator');
    const ok = await routeDORequest(get(name, { Origin: 'https://a.partner.test', 'X-Partner': 'yes' }), env, { cors });
    expect(ok!.headers.get('Access-Control-Allow-Origin')).toBe('https://a.partner.test');
    expect(seen[0]).toEqual({ origin: 'https://a.partner.test', method: 'GET', url: `https://api.test/my-do/${name}` });
    expect((await routeDORequest(get(name, { Origin: 'https://a.partner.test' }), env, { cors }))!.status).toBe(403);
    expect((await routeDORequest(get(name, { Origin: 'https://a.partner.test', 'X-Partner': 'yes' }, { method: 'DELETE' }), env, { cors }))!.status).toBe(403);
    expect((await routeDORequest(get(name, { Origin: 'https://evil.test', 'X-Partner': 'yes' }), env, { cors }))!.status).toBe(403);
    expect(await calls(name)).toBe(1);
  });

  it('a validator returning a truthy non-boolean does not allow', async () => {
    const cors = { origin: (() => 'yes') as unknown as () => boolean };
    expect((await routeDORequest(get(unique('truthy'), { Origin: 'https://x.test' }), env, { cors }))!.status).toBe(403);
  });
});

describe('25: credentials', () => {
  it('credentials: true with an allow-list or validator adds Access-Control-Allow-Credentials: true; without it the header is absent', async () => {
    const withCreds = await routeDORequest(get(unique('creds'), { Origin: APP }), env, { cors: { origin: [APP], credentials: true } });
    expect(withCreds!.headers.get('Access-Control-Allow-Credentials')).toBe('true');
    const viaValidator = await routeDORequest(get(unique('creds'), { Origin: APP }), env, { cors: { origin: () => true, credentials: true } });
    expect(viaValidator!.headers.get('Access-Control-Allow-Credentials')).toBe('true');
    const preflight = await routeDORequest(get(unique('creds'), { Origin: APP, 'Access-Control-Request-Method': 'POST' }, { method: 'OPTIONS' }), env, {
      cors: { origin: [APP], credentials: true },
    });
    expect(preflight!.headers.get('Access-Control-Allow-Credentials')).toBe('true');
    const without = await routeDORequest(get(unique('creds'), { Origin: APP }), env, { cors: { origin: [APP] } });
    expect(without!.headers.get('Access-Control-Allow-Credentials')).toBeNull();
  });

  it('malformed configuration throws TypeError on the call', async () => {
    const req = () => get('x', { Origin: APP });
    const bad: unknown[] = [
      { origin: 'https://a.test' },
      { origin: [APP, 42] },
      { origin: [APP], credentials: 'yes' },
      {},
      'https://a.test',
      null,
    ];
    for (const cors of bad) {
      await expect(routeDORequest(req(), env, { cors: cors as CorsOptions })).rejects.toThrow(TypeError);
    }
    await expect(routeDORequest(req(), env, { cors: { origin: 'https://a.test' } as unknown as CorsOptions })).rejects.toThrow(
      /cors.origin must be an array of origin strings or a function/,
    );
  });
});

describe('26: CORS on hook-returned responses', () => {
  it('added for allowed origins and not for others', async () => {
    const options = { cors: ALLOW_LIST, onBeforeRequest: () => new Response('from hook', { status: 401, headers: { Vary: 'Cookie' } }) };
    const allowed = await routeDORequest(get(unique('hook-cors'), { Origin: APP }), env, options);
    expect(allowed!.status).toBe(401);
    expect(allowed!.headers.get('Access-Control-Allow-Origin')).toBe(APP);
    expect(allowed!.headers.get('Vary')).toBe('Cookie, Origin');
    const noOrigin = await routeDORequest(get(unique('hook-cors')), env, options);
    expect(noOrigin!.status).toBe(401);
    expect(noOrigin!.headers.get('Access-Control-Allow-Origin')).toBeNull();
    const disallowed = await routeDORequest(get(unique('hook-cors'), { Origin: 'https://evil.test' }), env, options);
    expect(disallowed!.status).toBe(403);
    expect(disallowed!.headers.get('Access-Control-Allow-Origin')).toBeNull();
  });
});

describe('27: exact matching of ports and null', () => {
  it('origins with ports match exactly; the literal null origin only when listed', async () => {
    const ok = async (origin: string, cors: CorsOptions) => (await routeDORequest(get(unique('exact'), { Origin: origin }), env, { cors }))!.status;
    expect(await ok('http://localhost:5173', ALLOW_LIST)).toBe(200);
    expect(await ok('http://localhost:5174', ALLOW_LIST)).toBe(403);
    expect(await ok('http://localhost', ALLOW_LIST)).toBe(403);
    expect(await ok('HTTPS://APP.TEST', ALLOW_LIST)).toBe(403);
    expect(await ok('null', ALLOW_LIST)).toBe(200);
    expect(await ok('null', { origin: [APP] })).toBe(403);
  });
});

describe('CORS with WebSocket upgrades', () => {
  it('an allowed origin upgrades through the router and the 101 carries CORS headers and a working socket', async () => {
    const res = await routeDORequest(get(unique('ws-cors'), { Origin: APP, Upgrade: 'websocket' }), env, { cors: ALLOW_LIST });
    expect(res!.status).toBe(101);
    expect(res!.headers.get('Access-Control-Allow-Origin')).toBe(APP);
    const ws = res!.webSocket!;
    ws.accept();
    const reply = new Promise<string>((resolve) => ws.addEventListener('message', (e) => resolve(String(e.data))));
    ws.send('hi');
    expect(await reply).toBe('echo:hi');
    ws.close(1000);
  });
});
