/** Magic-link login, users and access tokens (items 10–15, 22–24, 55) and the replayed-link attack. */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createAuthMiddleware, parseJwtUnsafe } from '../src/index.ts';
import { captureLogs, cookieToken, errorOf, login, makeAuth, refreshWith, requestLink, rows } from './helpers/auth.ts';

async function accessTokenFor(auth: ReturnType<typeof makeAuth>, email: string): Promise<string> {
  const response = await refreshWith(auth, await login(auth, email));
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

describe('10: full login', () => {
  it('link GET gives 302 to redirect with the refresh cookie; refresh then returns an access token', async () => {
    const auth = makeAuth({ redirect: 'https://app.example/home', refreshTokenTtl: 86_400 });
    const link = await requestLink(auth, 'Alice@Example.com');
    const response = await auth.fetch(link, { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('Location')).toBe('https://app.example/home');
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    const cookie = response.headers.get('Set-Cookie')!;
    expect(cookie).toMatch(/^refresh-token=[A-Za-z0-9_-]{43}; /);
    for (const attr of ['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/auth', 'Max-Age=86400']) expect(cookie.split('; ')).toContain(attr);
    const refreshed = await refreshWith(auth, cookieToken(response));
    expect(refreshed.status).toBe(200);
    const body = (await refreshed.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 900 });
  });
});

describe('11: magic-link tokens are stored hashed', () => {
  it('the raw token from the link does not appear in magic_links', async () => {
    const auth = makeAuth();
    const link = new URL(await requestLink(auth, 'hash@example.com'));
    const raw = link.searchParams.get('magic-link-token')!;
    const stored = await rows<Record<string, unknown>>(auth, `SELECT * FROM magic_links`);
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(raw);
    expect(stored[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
    // Refresh tokens likewise.
    const refresh = await login(auth, 'hash@example.com');
    expect(JSON.stringify(await rows(auth, `SELECT * FROM refresh_tokens`))).not.toContain(refresh);
  });
});

describe('12: bad links', () => {
  it('missing token or state: 400 invalid_request', async () => {
    const auth = makeAuth();
    const link = new URL(await requestLink(auth, 'bad@example.com'));
    const noState = new URL(link);
    noState.searchParams.delete('state');
    const noToken = new URL(link);
    noToken.searchParams.delete('magic-link-token');
    for (const url of [noState, noToken]) {
      const response = await auth.fetch(url, { redirect: 'manual' });
      expect(response.status).toBe(400);
      expect(await errorOf(response)).toMatchObject({ error: 'invalid_request' });
    }
    // The link is still usable.
    expect((await auth.fetch(link, { redirect: 'manual' })).status).toBe(302);
  });

  it('wrong state: 400 invalid_state and the link stays unused', async () => {
    const auth = makeAuth();
    const link = new URL(await requestLink(auth, 'state@example.com'));
    const wrong = new URL(link);
    wrong.searchParams.set('state', 'x'.repeat(43));
    const response = await auth.fetch(wrong, { redirect: 'manual' });
    expect(await errorOf(response)).toMatchObject({ error: 'invalid_state' });
    expect(response.status).toBe(400);
    expect(await rows(auth, `SELECT used_at FROM magic_links`)).toEqual([{ used_at: null }]);
  });

  it('reused link (replay attack): 400 token_used and no second session', async () => {
    const auth = makeAuth();
    const link = await requestLink(auth, 'replay@example.com');
    expect((await auth.fetch(link, { redirect: 'manual' })).status).toBe(302);
    const replay = await auth.fetch(link, { redirect: 'manual' });
    expect(replay.status).toBe(400);
    expect(await errorOf(replay)).toMatchObject({ error: 'token_used' });
    expect(replay.headers.get('Set-Cookie')).toBeNull();
    expect(await rows(auth, `SELECT COUNT(*) AS n FROM refresh_tokens`)).toEqual([{ n: 1 }]);
  });

  it('expired link: 400 token_expired', async () => {
    const auth = makeAuth();
    const link = await requestLink(auth, 'late@example.com');
    await runInDurableObject(auth.stub, (_i, state) => {
      state.storage.sql.exec(`UPDATE magic_links SET expires_at = ?`, Date.now() - 1000);
    });
    const response = await auth.fetch(link, { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatchObject({ error: 'token_expired' });
    expect(await rows(auth, `SELECT COUNT(*) AS n FROM users`)).toEqual([{ n: 0 }]);
  });

  it('unknown token: 400 invalid_token', async () => {
    const auth = makeAuth();
    const response = await auth.fetch(auth.url(`/magic-link?magic-link-token=${'a'.repeat(43)}&state=${'b'.repeat(43)}`), { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatchObject({ error: 'invalid_token' });
  });
});

describe('13: HEAD and other methods do not consume links', () => {
  it('HEAD gives 405 and a later GET still succeeds', async () => {
    const auth = makeAuth();
    const link = await requestLink(auth, 'scanner@example.com');
    const head = await auth.fetch(link, { method: 'HEAD', redirect: 'manual' });
    expect(head.status).toBe(405);
    expect(head.headers.get('Allow')).toBe('GET');
    const post = await auth.fetch(link, { method: 'POST', redirect: 'manual' });
    expect(post.status).toBe(405);
    expect((await auth.fetch(link, { redirect: 'manual' })).status).toBe(302);
  });
});

describe('14–15: users', () => {
  it('first login creates the user with a verified primary email; the second reuses it and updates last_login_at', async () => {
    const auth = makeAuth();
    await login(auth, 'bob@example.com');
    const user = (await auth.stub.getUserByEmail('bob@example.com'))!;
    expect(user).toMatchObject({ email: 'bob@example.com', last_login_at: expect.any(Number) });
    expect(user.emails).toEqual([{ email: 'bob@example.com', verified: true, primary: true, created_at: expect.any(Number), verified_at: expect.any(Number) }]);
    await runInDurableObject(auth.stub, (_i, state) => {
      state.storage.sql.exec(`UPDATE users SET last_login_at = 1`);
    });
    await login(auth, 'BOB@example.com');
    const again = (await auth.stub.getUserById(user.id))!;
    expect(again.id).toBe(user.id);
    expect(again.last_login_at).toBeGreaterThan(1);
    expect(await rows(auth, `SELECT COUNT(*) AS n FROM users`)).toEqual([{ n: 1 }]);
  });

  it('getUserById and getUserByEmail (case-insensitive) return the user, null for unknown input', async () => {
    const auth = makeAuth();
    await login(auth, 'carol@example.com');
    const byEmail = await auth.stub.getUserByEmail('  CAROL@Example.COM ');
    expect(byEmail?.email).toBe('carol@example.com');
    expect((await auth.stub.getUserById(byEmail!.id))?.email).toBe('carol@example.com');
    expect(await auth.stub.getUserById('no-such-id')).toBeNull();
    expect(await auth.stub.getUserByEmail('nobody@example.com')).toBeNull();
    expect(await auth.stub.getUserByEmail('not an email')).toBeNull();
  });
});

describe('22–24: access tokens and keys', () => {
  it('22: header EdDSA with kid BLUE; claims iss, aud, sub, exp, iat, jti only; exp - iat = accessTokenTtl', async () => {
    const auth = makeAuth({ accessTokenTtl: 120, issuer: 'https://issuer.example', audience: 'https://aud.example' });
    const token = await accessTokenFor(auth, 'claims@example.com');
    const parsed = parseJwtUnsafe(token)!;
    expect(parsed.header).toEqual({ alg: 'EdDSA', typ: 'JWT', kid: 'BLUE' });
    expect(Object.keys(parsed.payload).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'sub']);
    expect(parsed.payload).toMatchObject({ iss: 'https://issuer.example', aud: 'https://aud.example' });
    expect(parsed.payload.exp! - parsed.payload.iat!).toBe(120);
    expect(JSON.stringify(parsed.payload)).not.toContain('claims@example.com');
  });

  it('23: PRIMARY_JWT_KEY=GREEN signs with the green key; middleware with both keys accepts either', async () => {
    const green = makeAuth({}, 'GREEN_AUTH');
    const blue = makeAuth();
    const greenToken = await accessTokenFor(green, 'g@example.com');
    const blueToken = await accessTokenFor(blue, 'b@example.com');
    expect(parseJwtUnsafe(greenToken)!.header.kid).toBe('GREEN');
    const both = await createAuthMiddleware({ publicKeysPem: [env.JWT_PUBLIC_KEY_BLUE, env.JWT_PUBLIC_KEY_GREEN] });
    const blueOnly = await createAuthMiddleware({ publicKeysPem: [env.JWT_PUBLIC_KEY_BLUE, undefined] });
    const call = (hook: typeof both, token: string) => hook(new Request('https://x/', { headers: { Authorization: `Bearer ${token}` } }));
    expect(await call(both, greenToken)).toBeInstanceOf(Request);
    expect(await call(both, blueToken)).toBeInstanceOf(Request);
    expect(((await call(blueOnly, greenToken)) as Response).status).toBe(401);
  });

  it('24: an invalid PRIMARY_JWT_KEY gives 500 server_error on refresh and does not spend the token', async () => {
    const auth = makeAuth({}, 'BAD_PRIMARY_AUTH');
    const token = await login(auth, 'purple@example.com');
    const logs = captureLogs();
    const response = await refreshWith(auth, token);
    logs.restore();
    expect(response.status).toBe(500);
    expect(await errorOf(response)).toEqual({ error: 'server_error', error_description: 'Internal error' });
    const errors = logs.records.filter((r) => r.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ namespace: 'lmz.auth.LumenizeAuth', message: 'signing keys misconfigured', data: { method: 'POST', message: 'PRIMARY_JWT_KEY must be BLUE or GREEN' } });
    expect(JSON.stringify(errors[0])).not.toContain(token);
    expect(await rows(auth, `SELECT revoked_at FROM refresh_tokens`)).toEqual([{ revoked_at: null }]);
  });
});

describe('55: Cache-Control', () => {
  it('token responses and redirects carry no-store', async () => {
    const auth = makeAuth();
    const link = await requestLink(auth, 'cache@example.com');
    const redirect = await auth.fetch(link, { redirect: 'manual' });
    expect(redirect.headers.get('Cache-Control')).toBe('no-store');
    const refreshed = await refreshWith(auth, cookieToken(redirect));
    expect(refreshed.headers.get('Cache-Control')).toBe('no-store');
    const logout = await auth.fetch(auth.url('/logout'), { method: 'POST' });
    expect(logout.headers.get('Cache-Control')).toBe('no-store');
  });
});
