/**
 * Refresh rotation (items 16–21): grace window, family revocation on true reuse, concurrency,
 * multi-tab refreshes, cookie parsing (`=` in values, duplicates) and logout.
 */
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { cookieToken, errorOf, login, makeAuth, refreshWith, rows } from './helpers/auth.ts';

type TokenRow = { family_id: string; revoked_at: number | null; revoked_reason: string | null };

describe('16: refresh failures', () => {
  it('no cookie, unknown token, expired token give 401 with the specific code', async () => {
    const auth = makeAuth();
    const none = await refreshWith(auth, null);
    expect(none.status).toBe(401);
    expect(await errorOf(none)).toMatchObject({ error: 'invalid_token' });
    const unknown = await refreshWith(auth, 'x'.repeat(43));
    expect(unknown.status).toBe(401);
    expect(await errorOf(unknown)).toMatchObject({ error: 'invalid_token' });
    const token = await login(auth, 'exp@example.com');
    await runInDurableObject(auth.stub, (_i, state) => {
      state.storage.sql.exec(`UPDATE refresh_tokens SET expires_at = ?`, Date.now() - 1);
    });
    const expired = await refreshWith(auth, token);
    expect(expired.status).toBe(401);
    expect(await errorOf(expired)).toMatchObject({ error: 'token_expired' });
    expect(await rows(auth, `SELECT revoked_at FROM refresh_tokens`)).toEqual([{ revoked_at: null }]);
  });
});

describe('17: rotation', () => {
  it('the new cookie differs and works; with grace 0 a replay of the old token gives 401 token_revoked AND logs the live tab out', async () => {
    const auth = makeAuth({ refreshReuseGraceSeconds: 0 });
    const first = await login(auth, 'rot@example.com');
    const r1 = await refreshWith(auth, first);
    const second = cookieToken(r1);
    expect(second).not.toBe(first);
    const r2 = await refreshWith(auth, second);
    expect(r2.status).toBe(200);
    const live = cookieToken(r2);
    const old = await refreshWith(auth, first);
    expect(old.status).toBe(401);
    expect(await errorOf(old)).toMatchObject({ error: 'token_revoked' });
    // Reuse detection (RFC 6819 §5.2.2.3, OAuth 2.0 Security BCP refresh token rotation): the server
    // cannot tell thief from owner, so the whole family dies, including the live tab's newest token.
    const liveAfterReplay = await refreshWith(auth, live);
    expect(liveAfterReplay.status).toBe(401);
    expect(await errorOf(liveAfterReplay)).toMatchObject({ error: 'token_revoked' });
    expect(await rows(auth, `SELECT DISTINCT revoked_reason FROM refresh_tokens WHERE revoked_at IS NOT NULL`)).toEqual([{ revoked_reason: 'reuse_detected' }]);
  });

  it('within a non-zero grace window the same replay is accepted and the live tab stays logged in', async () => {
    const auth = makeAuth({ refreshReuseGraceSeconds: 10 });
    const first = await login(auth, 'rot-grace@example.com');
    const live = cookieToken(await refreshWith(auth, first));
    const replay = await refreshWith(auth, first);
    expect(replay.status).toBe(200);
    const stillLive = await refreshWith(auth, live);
    expect(stillLive.status).toBe(200);
    expect((await refreshWith(auth, cookieToken(stillLive))).status).toBe(200);
  });
});

describe('18: grace window', () => {
  it('within the window the old token yields a new pair; 11 s later it gives 401 token_revoked', async () => {
    const auth = makeAuth({ refreshReuseGraceSeconds: 10 });
    const first = await login(auth, 'grace@example.com');
    const r1 = await refreshWith(auth, first);
    expect(r1.status).toBe(200);
    const again = await refreshWith(auth, first);
    expect(again.status).toBe(200);
    expect(cookieToken(again)).not.toBe(cookieToken(r1));
    expect(((await again.json()) as { access_token: string }).access_token).toBeTypeOf('string');
    await runInDurableObject(auth.stub, (_i, state) => {
      state.storage.sql.exec(`UPDATE refresh_tokens SET revoked_at = revoked_at - 11000 WHERE revoked_reason = 'rotated'`);
    });
    const late = await refreshWith(auth, first);
    expect(late.status).toBe(401);
    expect(await errorOf(late)).toMatchObject({ error: 'token_revoked' });
  });

  it('attack: reuse of a rotated token after the window revokes the whole token family', async () => {
    const auth = makeAuth({ refreshReuseGraceSeconds: 10 });
    const stolen = await login(auth, 'theft@example.com');
    // The legitimate client rotates twice.
    const t1 = cookieToken(await refreshWith(auth, stolen));
    const t2 = cookieToken(await refreshWith(auth, t1));
    // Another login of the same user (another device) is a different family and must survive.
    const otherDevice = await login(auth, 'theft@example.com');
    await runInDurableObject(auth.stub, (_i, state) => {
      state.storage.sql.exec(`UPDATE refresh_tokens SET revoked_at = revoked_at - 60000 WHERE revoked_reason = 'rotated'`);
    });
    const attacker = await refreshWith(auth, stolen);
    expect(attacker.status).toBe(401);
    expect(await errorOf(attacker)).toMatchObject({ error: 'token_revoked' });
    // The legitimate holder's current token is dead too: the family is revoked.
    const victim = await refreshWith(auth, t2);
    expect(victim.status).toBe(401);
    expect(await errorOf(victim)).toMatchObject({ error: 'token_revoked' });
    const families = await rows<TokenRow & { n: number }>(auth, `SELECT family_id, COUNT(*) AS n, SUM(revoked_at IS NULL) AS live FROM refresh_tokens GROUP BY family_id`);
    expect(families).toHaveLength(2);
    expect((await refreshWith(auth, otherDevice)).status).toBe(200);
    // No token of the stolen family can be used again, not even "within grace".
    expect((await refreshWith(auth, t1)).status).toBe(401);
  });
});

describe('19: concurrency with grace 0', () => {
  it('two concurrent refreshes of one token: exactly one succeeds, and then the family is revoked (both tabs logged out)', async () => {
    const auth = makeAuth({ refreshReuseGraceSeconds: 0 });
    const token = await login(auth, 'race@example.com');
    const results = await Promise.all([refreshWith(auth, token), refreshWith(auth, token)]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 401]);
    const loser = results.find((r) => r.status === 401)!;
    expect(await errorOf(loser)).toMatchObject({ error: 'token_revoked' });
    // The loser's second use counts as reuse: the winner's new token is revoked too (both tabs logged out).
    const winner = results.find((r) => r.status === 200)!;
    expect((await refreshWith(auth, cookieToken(winner))).status).toBe(401);
  });
});

describe('multi-tab refresh', () => {
  it('10 concurrent refreshes with the same token all succeed and leave exactly one live family', async () => {
    const auth = makeAuth({ refreshReuseGraceSeconds: 10 });
    const token = await login(auth, 'tabs@example.com');
    const results = await Promise.all(Array.from({ length: 10 }, () => refreshWith(auth, token)));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    const cookies = results.map(cookieToken);
    expect(new Set(cookies).size).toBe(10);
    const live = await rows<{ family_id: string }>(auth, `SELECT DISTINCT family_id FROM refresh_tokens WHERE revoked_at IS NULL`);
    expect(live).toHaveLength(1);
    // Whichever Set-Cookie the shared jar kept last, it works.
    expect((await refreshWith(auth, cookies[9])).status).toBe(200);
    expect((await refreshWith(auth, cookies[0])).status).toBe(200);
  });
});

describe('20: cookie parsing', () => {
  it('attack: a cookie value containing = is read whole (refresh-token=abc=def), not truncated to abc', async () => {
    const auth = makeAuth();
    const real = await login(auth, 'eq@example.com');
    // If the parser stopped at the second "=", `${real}=junk` would be read as the real token.
    const response = await auth.fetch(auth.url('/refresh-token'), { method: 'POST', headers: { Cookie: `refresh-token=${real}=junk` } });
    expect(response.status).toBe(401);
    expect(await errorOf(response)).toMatchObject({ error: 'invalid_token' });
    // And a stored token whose value contains "=" round-trips.
    await runInDurableObject(auth.stub, async (_i, state) => {
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode('abc=def')));
      const hash = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
      state.storage.sql.exec(`UPDATE refresh_tokens SET token_hash = ?`, hash);
    });
    const ok = await auth.fetch(auth.url('/refresh-token'), { method: 'POST', headers: { Cookie: 'other=1; refresh-token=abc=def' } });
    expect(ok.status).toBe(200);
  });

  it('with two refresh-token cookies the first is used', async () => {
    const auth = makeAuth();
    const real = await login(auth, 'dup@example.com');
    const first = await auth.fetch(auth.url('/refresh-token'), { method: 'POST', headers: { Cookie: `refresh-token=${real}; refresh-token=bogus` } });
    expect(first.status).toBe(200);
    const second = await auth.fetch(auth.url('/refresh-token'), { method: 'POST', headers: { Cookie: `refresh-token=bogus; refresh-token=${cookieToken(first)}` } });
    expect(second.status).toBe(401);
  });
});

describe('21: logout', () => {
  it('clears the cookie and revokes the token, even within the grace window', async () => {
    const auth = makeAuth({ refreshReuseGraceSeconds: 10 });
    const token = await login(auth, 'bye@example.com');
    const rotated = cookieToken(await refreshWith(auth, token));
    const response = await auth.fetch(auth.url('/logout'), { method: 'POST', headers: { Cookie: `refresh-token=${rotated}` } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ message: 'Logged out' });
    expect(response.headers.get('Set-Cookie')).toBe('refresh-token=; Path=/auth; HttpOnly; Secure; SameSite=Strict; Max-Age=0');
    const after = await refreshWith(auth, rotated);
    expect(after.status).toBe(401);
    expect(await errorOf(after)).toMatchObject({ error: 'token_revoked' });
    // The token rotated a moment ago (within grace) is part of the same session: also dead.
    expect((await refreshWith(auth, token)).status).toBe(401);
    expect(await rows(auth, `SELECT DISTINCT revoked_reason FROM refresh_tokens`)).toEqual([{ revoked_reason: 'logout' }]);
  });

  it('without a cookie still answers 200 and is idempotent', async () => {
    const auth = makeAuth();
    for (let i = 0; i < 2; i++) {
      const response = await auth.fetch(auth.url('/logout'), { method: 'POST' });
      expect(response.status).toBe(200);
      expect(response.headers.get('Set-Cookie')).toContain('Max-Age=0');
    }
  });
});
