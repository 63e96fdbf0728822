/**
 * HTTP and WebSocket middlewares (items 29–35): the header contract, smuggling defense, and
 * end-to-end protection of a DO through routeDORequest.
 */
import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createAuthMiddleware, createWebSocketAuthMiddleware, signJwt } from '../src/index.ts';
import { blueToken, claims, testKeys } from './helpers/keys.ts';

const KEYS = () => [env.JWT_PUBLIC_KEY_BLUE, env.JWT_PUBLIC_KEY_GREEN];

async function httpHook(extra: Partial<Parameters<typeof createAuthMiddleware>[0]> = {}) {
  return createAuthMiddleware({ publicKeysPem: KEYS(), ...extra });
}

function req(headers: Record<string, string> = {}, init: RequestInit = {}) {
  return new Request('https://app.example/protected/protected-do/room', { headers, ...init });
}

async function expect401(result: Request | Response | undefined, code: string, realm = 'Lumenize') {
  expect(result).toBeInstanceOf(Response);
  const response = result as Response;
  expect(response.status).toBe(401);
  const body = (await response.json()) as { error: string; error_description: string };
  expect(body.error).toBe(code);
  expect(response.headers.get('WWW-Authenticate')).toBe(`Bearer realm="${realm}", error="${code}", error_description="${body.error_description.replace(/"/g, '\\"')}"`);
  return body;
}

describe('middleware creation', () => {
  it('throws TypeError with no keys or an invalid PEM', async () => {
    await expect(createAuthMiddleware({ publicKeysPem: [] })).rejects.toThrow(TypeError);
    await expect(createAuthMiddleware({ publicKeysPem: [undefined, ''] })).rejects.toThrow(TypeError);
    await expect(createWebSocketAuthMiddleware({ publicKeysPem: ['garbage PEM'] })).rejects.toThrow(/publicKeysPem\[0\]/);
    const error = await createAuthMiddleware({ publicKeysPem: ['-----BEGIN PUBLIC KEY-----\nS3CR3T\n-----END PUBLIC KEY-----'] }).catch((e: Error) => e);
    expect((error as Error).message).not.toContain('S3CR3T');
  });
});

describe('29: HTTP middleware, missing or malformed Authorization', () => {
  it('no header, Basic scheme, Bearer without token and extra parts give 401 invalid_request naming the realm', async () => {
    const hook = await httpHook();
    await expect401(await hook(req()), 'invalid_request');
    await expect401(await hook(req({ Authorization: 'Basic dXNlcjpwYXNz' })), 'invalid_request');
    await expect401(await hook(req({ Authorization: 'Bearer' })), 'invalid_request');
    await expect401(await hook(req({ Authorization: `Bearer ${await blueToken()} extra` })), 'invalid_request');
  });

  it('honors a custom realm (quotes escaped)', async () => {
    const hook = await httpHook({ realm: 'My "App"' });
    await expect401(await hook(req()), 'invalid_request', 'My \\"App\\"');
  });
});

describe('30: HTTP middleware, verification', () => {
  it('invalid, expired, forged and wrong-audience tokens give 401 invalid_token with a description', async () => {
    const hook = await httpHook({ audience: 'https://lumenize.local', issuer: 'https://lumenize.local' });
    const k = await testKeys();
    expect((await expect401(await hook(req({ Authorization: 'Bearer abc.def.ghi' })), 'invalid_token')).error_description).toBe('Malformed token');
    expect((await expect401(await hook(req({ Authorization: `Bearer ${await blueToken(claims('u', -5))}` })), 'invalid_token')).error_description).toBe('Token expired');
    const forged = await signJwt(claims('u'), k.retiredPrivate, 'BLUE');
    expect((await expect401(await hook(req({ Authorization: `Bearer ${forged}` })), 'invalid_token')).error_description).toBe('Invalid token signature');
    const otherAud = await blueToken(claims('u', 900, { aud: 'https://elsewhere' }));
    expect((await expect401(await hook(req({ Authorization: `Bearer ${otherAud}` })), 'invalid_token')).error_description).toBe('Token audience mismatch');
    const otherIss = await blueToken(claims('u', 900, { iss: 'https://elsewhere' }));
    expect((await expect401(await hook(req({ Authorization: `Bearer ${otherIss}` })), 'invalid_token')).error_description).toBe('Token issuer mismatch');
    const { sub: _s, ...noSub } = claims();
    expect((await expect401(await hook(req({ Authorization: `Bearer ${await blueToken(noSub)}` })), 'invalid_token')).error_description).toBe('Token has no subject');
  });

  it('a valid token yields a request with identity headers, no Authorization, body intact', async () => {
    const hook = await httpHook();
    const payload = claims('user-42');
    const result = await hook(req({ Authorization: `bearer ${await blueToken(payload)}`, 'Content-Type': 'text/plain' }, { method: 'POST', body: 'hello body' }));
    expect(result).toBeInstanceOf(Request);
    const forwarded = result as Request;
    expect(forwarded.method).toBe('POST');
    expect(forwarded.url).toBe('https://app.example/protected/protected-do/room');
    expect(forwarded.headers.get('Authorization')).toBeNull();
    expect(forwarded.headers.get('X-Auth-User-Id')).toBe('user-42');
    expect(forwarded.headers.get('X-Auth-Verified')).toBe('true');
    expect(forwarded.headers.get('X-Auth-Token-Exp')).toBe(String(payload.exp));
    expect(forwarded.headers.get('Content-Type')).toBe('text/plain');
    expect(await forwarded.text()).toBe('hello body');
  });
});

describe('31–32: header smuggling and claims', () => {
  const smuggled = { 'X-Auth-User-Id': 'admin', 'X-Auth-Claims': '{"role":"admin"}', 'X-Auth-Anything': 'x', 'x-auth-verified': 'true' };

  it('attack: client X-Auth-* headers are removed or overwritten by the HTTP middleware', async () => {
    const hook = await httpHook();
    const forwarded = (await hook(req({ ...smuggled, Authorization: `Bearer ${await blueToken(claims('real-user'))}` }))) as Request;
    expect(forwarded.headers.get('X-Auth-User-Id')).toBe('real-user');
    expect(forwarded.headers.get('X-Auth-Claims')).toBeNull();
    expect(forwarded.headers.get('X-Auth-Anything')).toBeNull();
  });

  it('attack: client X-Auth-* headers are removed or overwritten by the WebSocket middleware', async () => {
    const hook = await createWebSocketAuthMiddleware({ publicKeysPem: KEYS() });
    const token = await blueToken(claims('ws-real'));
    const forwarded = (await hook(req({ ...smuggled, Upgrade: 'websocket', 'Sec-WebSocket-Protocol': `lmz, lmz.access-token.${token}` }))) as Request;
    expect(forwarded.headers.get('X-Auth-User-Id')).toBe('ws-real');
    expect(forwarded.headers.get('X-Auth-Claims')).toBeNull();
    expect(forwarded.headers.get('X-Auth-Anything')).toBeNull();
  });

  it('attack: a rejected request with smuggled headers never reaches the DO (end to end)', async () => {
    const http = await SELF.fetch('https://app.example/protected/protected-do/smuggle', { headers: smuggled });
    expect(http.status).toBe(401);
    const ws = await SELF.fetch('https://app.example/protected/protected-do/smuggle', { headers: { ...smuggled, Upgrade: 'websocket', 'Sec-WebSocket-Protocol': 'lmz' } });
    expect(ws.status).toBe(401);
    expect(ws.webSocket).toBeNull();
    // A valid request through the same path shows what the DO receives: only verified identity.
    const ok = await SELF.fetch('https://app.example/protected/protected-do/smuggle', { headers: { ...smuggled, Authorization: `Bearer ${await blueToken(claims('legit'))}` } });
    const seen = (await ok.json()) as { headers: Record<string, string> };
    expect(seen.headers['x-auth-user-id']).toBe('legit');
    expect(seen.headers['x-auth-claims']).toBeUndefined();
    expect(seen.headers['x-auth-anything']).toBeUndefined();
  });

  it('a custom claim produces X-Auth-Claims with that claim only; a standard token produces none', async () => {
    const hook = await httpHook();
    const custom = (await hook(req({ Authorization: `Bearer ${await blueToken(claims('u', 900, { role: 'editor', nbf: 1 }))}` }))) as Request;
    expect(JSON.parse(custom.headers.get('X-Auth-Claims')!)).toEqual({ role: 'editor' });
    const standard = (await hook(req({ Authorization: `Bearer ${await blueToken()}` }))) as Request;
    expect(standard.headers.get('X-Auth-Claims')).toBeNull();
  });
});

describe('header-safe identity', () => {
  it('non-ASCII custom claims are escaped JSON; a subject that cannot be a header value is refused', async () => {
    const hook = await httpHook();
    const forwarded = (await hook(req({ Authorization: `Bearer ${await blueToken(claims('u', 900, { name: '日本 José' }))}` }))) as Request;
    expect(forwarded).toBeInstanceOf(Request);
    expect(forwarded.headers.get('X-Auth-Claims')).toBe('{"name":"\\u65e5\\u672c Jos\\u00e9"}');
    expect(JSON.parse(forwarded.headers.get('X-Auth-Claims')!)).toEqual({ name: '日本 José' });
    for (const sub of ['line\nbreak', 'ユーザー', 'x'.repeat(300)]) {
      const body = await expect401(await hook(req({ Authorization: `Bearer ${await blueToken(claims(sub))}` })), 'invalid_token');
      expect(body.error_description).toBe('Token subject is not usable');
    }
  });
});

describe('33: end to end through routeDORequest', () => {
  it('protects a DO; a valid POST reaches it with its body and identity', async () => {
    const denied = await SELF.fetch('https://app.example/protected/protected-do/e2e', { method: 'POST', body: 'nope' });
    expect(denied.status).toBe(401);
    const response = await SELF.fetch('https://app.example/protected/protected-do/e2e', {
      method: 'POST',
      body: JSON.stringify({ hello: 'world' }),
      headers: { Authorization: `Bearer ${await blueToken(claims('e2e-user'))}` },
    });
    expect(response.status).toBe(200);
    const seen = (await response.json()) as { method: string; body: string; headers: Record<string, string> };
    expect(seen.method).toBe('POST');
    expect(JSON.parse(seen.body)).toEqual({ hello: 'world' });
    expect(seen.headers['x-auth-user-id']).toBe('e2e-user');
    expect(seen.headers.authorization).toBeUndefined();
  });
});

describe('35: WebSocket middleware', () => {
  it('missing and invalid tokens give 401 JSON', async () => {
    const hook = await createWebSocketAuthMiddleware({ publicKeysPem: KEYS() });
    const missing = (await hook(req({ Upgrade: 'websocket', 'Sec-WebSocket-Protocol': 'lmz' }))) as Response;
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: 'invalid_request' });
    const invalid = (await hook(req({ Upgrade: 'websocket', 'Sec-WebSocket-Protocol': 'lmz, lmz.access-token.a.b.c' }))) as Response;
    expect(invalid.status).toBe(401);
    expect(await invalid.json()).toMatchObject({ error: 'invalid_token' });
    const expired = (await hook(req({ Upgrade: 'websocket', 'Sec-WebSocket-Protocol': `lmz, lmz.access-token.${await blueToken(claims('u', -1))}` }))) as Response;
    expect(await expired.json()).toEqual({ error: 'invalid_token', error_description: 'Token expired' });
  });

  it('a valid upgrade reaches the DO with identity headers and only the lmz protocol, and the socket opens', async () => {
    const payload = claims('socket-user', 900, { team: 'blue' });
    const response = await SELF.fetch('https://app.example/protected/protected-do/ws-room', {
      headers: { Upgrade: 'websocket', 'Sec-WebSocket-Protocol': `lmz, lmz.access-token.${await blueToken(payload)}` },
    });
    expect(response.status).toBe(101);
    expect(response.headers.get('Sec-WebSocket-Protocol')).toBe('lmz');
    const ws = response.webSocket!;
    ws.accept();
    const message = new Promise<string>((resolve) => ws.addEventListener('message', (e) => resolve(e.data as string)));
    ws.send('hi');
    const seen = JSON.parse(await message) as { headers: Record<string, string> };
    expect(seen.headers['sec-websocket-protocol']).toBe('lmz');
    expect(seen.headers['x-auth-user-id']).toBe('socket-user');
    expect(seen.headers['x-auth-verified']).toBe('true');
    expect(seen.headers['x-auth-token-exp']).toBe(String(payload.exp));
    expect(JSON.parse(seen.headers['x-auth-claims'])).toEqual({ team: 'blue' });
    ws.close(1000);
  });
});
