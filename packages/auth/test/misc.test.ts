/** Housekeeping (56), the test helper (57), logging hygiene (58), public surface (59), §8 mechanics (60). */
import { runInDurableObject } from 'cloudflare:test';
import { Browser } from '@lumenize/utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as auth from '../src/index.ts';
import { createAuthMiddleware, signJwt, testLoginWithMagicLink } from '../src/index.ts';
import { captureLogs, errorOf, login, makeAuth, ORIGIN, refreshWith, requestLink, rows } from './helpers/auth.ts';
import { claims } from './helpers/keys.ts';

let logs: ReturnType<typeof captureLogs> | undefined;
afterEach(() => {
  logs?.restore();
  vi.restoreAllMocks();
});

describe('56: housekeeping', () => {
  it('expired links and refresh tokens are purged during later writes, at most 100 per write', async () => {
    const a = makeAuth();
    await login(a, 'keeper@example.com');
    await runInDurableObject(a.stub, (_i, state) => {
      const sql = state.storage.sql;
      const userId = sql.exec<{ id: string }>(`SELECT id FROM users`).one().id;
      const past = Date.now() - 1000;
      for (let i = 0; i < 150; i++) {
        sql.exec(`INSERT INTO magic_links VALUES (?, 's', 'old@example.com', 'login', NULL, 0, ?, NULL)`, `old-link-${i}`, past);
        sql.exec(`INSERT INTO refresh_tokens VALUES (?, ?, 'fam', 0, ?, NULL, NULL)`, `old-token-${i}`, userId, past);
      }
    });
    const count = async () =>
      (await rows<{ links: number; tokens: number }>(a, `SELECT (SELECT COUNT(*) FROM magic_links WHERE expires_at < ?) AS links, (SELECT COUNT(*) FROM refresh_tokens WHERE expires_at < ?) AS tokens`, Date.now(), Date.now()))[0];
    expect(await count()).toEqual({ links: 150, tokens: 150 });
    await requestLink(a, 'writer@example.com');
    expect(await count()).toEqual({ links: 50, tokens: 50 });
    await requestLink(a, 'writer@example.com');
    expect(await count()).toEqual({ links: 0, tokens: 0 });
    // Live rows are kept.
    expect(await rows(a, `SELECT COUNT(*) AS n FROM refresh_tokens`)).toEqual([{ n: 1 }]);
    expect(await rows(a, `SELECT COUNT(*) AS n FROM magic_links`)).toEqual([{ n: 3 }]);
  });
});

describe('57: testLoginWithMagicLink', () => {
  it('returns the user id and leaves a working refresh cookie; two Browsers are two independent users', async () => {
    const a = makeAuth();
    const alice = new Browser(a.fetch as typeof fetch);
    const bob = new Browser(a.fetch as typeof fetch);
    const aliceId = await testLoginWithMagicLink(alice, 'alice@example.com', ORIGIN);
    const bobId = await testLoginWithMagicLink(bob, 'bob@example.com', ORIGIN, 'auth');
    expect(aliceId).not.toBe(bobId);
    expect((await a.stub.getUserByEmail('alice@example.com'))?.id).toBe(aliceId);
    expect(alice.getCookie('refresh-token')).not.toBe(bob.getCookie('refresh-token'));
    for (const [browser, id] of [[alice, aliceId], [bob, bobId]] as const) {
      const refreshed = await browser.fetch(`${ORIGIN}/auth/refresh-token`, { method: 'POST' });
      expect(refreshed.status).toBe(200);
      const token = ((await refreshed.json()) as { access_token: string }).access_token;
      expect(auth.parseJwtUnsafe(token)?.payload.sub).toBe(id);
    }
  });

  it('failures throw with status and body, never cookie values', async () => {
    const off = makeAuth({}, 'NO_TEST_MODE_AUTH');
    const error = (await testLoginWithMagicLink(new Browser(off.fetch as typeof fetch), 'x@example.com', ORIGIN).catch((e: unknown) => e)) as Error & { status: number };
    expect(error.name).toBe('TestLoginError');
    expect(error.status).toBe(200);
    expect(error.message).toContain('AUTH_TEST_MODE');
    const bad = makeAuth();
    const badError = (await testLoginWithMagicLink(new Browser(bad.fetch as typeof fetch), 'not-an-email', ORIGIN).catch((e: unknown) => e)) as Error & { status: number };
    expect(badError.status).toBe(400);
    expect(badError.message).toContain('invalid_request');
  });
});

describe('58: logging hygiene', () => {
  it('a failed link attempt and a rate-limit rejection log warns without token, cookie or full email', async () => {
    logs = captureLogs();
    const a = makeAuth({ rateLimit: { email: 'TEST_EMAIL_LIMIT_2' } }, 'LOGGING_AUTH');
    const email = `secret.person.${crypto.randomUUID().slice(0, 6)}@example.com`;
    const link = new URL(await requestLink(a, email));
    const token = link.searchParams.get('magic-link-token')!;
    const state = link.searchParams.get('state')!;
    const wrong = new URL(link);
    wrong.searchParams.set('state', 'x'.repeat(43));
    expect((await a.fetch(wrong, { redirect: 'manual' })).status).toBe(400);
    const ok = await a.fetch(link, { redirect: 'manual' });
    const cookie = /^refresh-token=([^;]*)/.exec(ok.headers.get('Set-Cookie')!)![1];
    expect((await a.fetch(link, { redirect: 'manual' })).status).toBe(400);
    await refreshWith(a, 'u'.repeat(43));
    await requestLink(a, email);
    const limited = await a.fetch(a.url('/email-magic-link?_test=true'), { method: 'POST', body: JSON.stringify({ email }) });
    expect(limited.status).toBe(429);

    const warns = logs.records.filter((r) => r.level === 'warn' && r.namespace === 'lmz.auth.LumenizeAuth');
    expect(warns.map((w) => w.message)).toEqual(expect.arrayContaining(['magic link refused', 'rate limited', 'refresh refused']));
    expect(warns.filter((w) => w.message === 'magic link refused').map((w) => (w.data as { reason: string }).reason)).toEqual(['invalid_state', 'token_used']);
    const text = JSON.stringify(logs.records);
    for (const secret of [token, state, cookie, email, 'u'.repeat(43)]) expect(text).not.toContain(secret);
    expect(text).toContain('s***@example.com');
  });
});

describe('59: public surface', () => {
  it('the package entry exports exactly the public names of §2.1', () => {
    expect(Object.keys(auth).sort()).toEqual(
      [
        'LumenizeAuth',
        'createAuthRoutes',
        'createAuthMiddleware',
        'createWebSocketAuthMiddleware',
        'extractWebSocketToken',
        'verifyWebSocketToken',
        'getTokenTtl',
        'WS_CLOSE_CODES',
        'signJwt',
        'verifyJwt',
        'verifyJwtWithRotation',
        'importPrivateKey',
        'importPublicKey',
        'parseJwtUnsafe',
        'ConsoleEmailService',
        'HttpEmailService',
        'MockEmailService',
        'createDefaultEmailService',
        'checkRateLimit',
        'testLoginWithMagicLink',
      ].sort(),
    );
  });
});

describe('60: §8 mechanics without timing', () => {
  async function freshPem(): Promise<{ pem: string; privateKey: CryptoKey }> {
    const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const spki = new Uint8Array((await crypto.subtle.exportKey('spki', pair.publicKey)) as ArrayBuffer);
    const b64 = btoa(String.fromCharCode(...spki));
    return { pem: `-----BEGIN PUBLIC KEY-----\n${b64}\n-----END PUBLIC KEY-----\n`, privateKey: pair.privateKey };
  }

  it('1,000 verifications import each PEM once; rejected junk never reaches crypto.subtle.verify', async () => {
    const blue = await freshPem();
    const green = await freshPem();
    const importKey = vi.spyOn(crypto.subtle, 'importKey');
    const hook = await createAuthMiddleware({ publicKeysPem: [blue.pem, green.pem] });
    await createAuthMiddleware({ publicKeysPem: [blue.pem, green.pem] });
    expect(importKey).toHaveBeenCalledTimes(2);
    const token = await signJwt(claims('bench-user'), green.privateKey, 'GREEN');
    const verify = vi.spyOn(crypto.subtle, 'verify');
    for (let i = 0; i < 1000; i++) {
      const result = await hook(new Request('https://x/', { headers: { Authorization: `Bearer ${token}` } }));
      expect(result).toBeInstanceOf(Request);
    }
    expect(importKey).toHaveBeenCalledTimes(2);
    // After the first token taught the isolate GREEN's key, every verification is a single verify call.
    expect(verify.mock.calls.length).toBeLessThanOrEqual(1001);
    verify.mockClear();
    for (const junk of ['', 'a.b', 'x'.repeat(9 * 1024), 'not a token', 'a.b.c']) {
      const result = (await hook(new Request('https://x/', { headers: { Authorization: `Bearer ${junk}` } }))) as Response;
      expect(result.status).toBe(401);
      await errorOf(result);
    }
    expect(verify).not.toHaveBeenCalled();
  });
});
