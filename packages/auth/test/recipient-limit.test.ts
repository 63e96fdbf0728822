/**
 * Issue 12 item 6: the email tier is per mailbox. `+tags` and (for gmail.com / googlemail.com)
 * dots no longer buy a fresh bucket, and `POST /emails` (linking) is limited per recipient too,
 * sharing the bucket with login links. Real Miniflare rate limiter `TEST_EMAIL_LIMIT_2` (2 per 60 s).
 */
import { describe, expect, it } from 'vitest';
import { errorOf, loginWithAccess, makeAuth, rows, type TestAuth } from './helpers/auth.ts';

/** Letters only: dots are meaningful in these local parts. */
const unique = () => crypto.randomUUID().replace(/[^a-f]/g, '').slice(0, 8) + 'q';

function requestLogin(auth: TestAuth, email: string): Promise<Response> {
  return auth.fetch(auth.url('/email-magic-link?_test=true'), { method: 'POST', body: JSON.stringify({ email }) });
}

function addEmail(auth: TestAuth, accessToken: string, email: string): Promise<Response> {
  return auth.fetch(auth.url('/emails?_test=true'), { method: 'POST', headers: { Authorization: `Bearer ${accessToken}` }, body: JSON.stringify({ email }) });
}

describe('item 6: per-mailbox email tier', () => {
  it('+tags share the bucket of the base address, on any domain', async () => {
    const auth = makeAuth({ rateLimit: { email: 'TEST_EMAIL_LIMIT_2' } });
    const name = unique();
    expect((await requestLogin(auth, `${name}+1@corp.example`)).status).toBe(200);
    expect((await requestLogin(auth, `${name}+2@corp.example`)).status).toBe(200);
    const limited = await requestLogin(auth, `${name}@corp.example`);
    expect(limited.status).toBe(429);
    expect(await errorOf(limited)).toMatchObject({ error: 'rate_limit_exceeded' });
    // Another mailbox is unaffected.
    expect((await requestLogin(auth, `${name}x@corp.example`)).status).toBe(200);
  });

  it('dots are ignored for gmail.com and googlemail.com (one mailbox), not for other domains', async () => {
    const auth = makeAuth({ rateLimit: { email: 'TEST_EMAIL_LIMIT_2' } });
    const [a, b] = [unique(), unique()];
    expect((await requestLogin(auth, `${a}.${b}@gmail.com`)).status).toBe(200);
    expect((await requestLogin(auth, `${a}${b}+promo@googlemail.com`)).status).toBe(200);
    expect((await requestLogin(auth, `${a.slice(0, 2)}.${a.slice(2)}.${b}@gmail.com`)).status).toBe(429);
    // Elsewhere a dot makes a different mailbox.
    expect((await requestLogin(auth, `${a}.${b}@corp.example`)).status).toBe(200);
    expect((await requestLogin(auth, `${a}${b}@corp.example`)).status).toBe(200);
    expect((await requestLogin(auth, `${a}${b}@corp.example`)).status).toBe(200);
    expect((await requestLogin(auth, `${a}${b}@corp.example`)).status).toBe(429);
  });

  it('accounts keep the exact address: a+1@ and a+2@ are still two logins', async () => {
    const auth = makeAuth();
    const name = unique();
    const one = await loginWithAccess(auth, `${name}+1@corp.example`);
    const two = await loginWithAccess(auth, `${name}+2@corp.example`);
    expect(one.userId).not.toBe(two.userId);
  });
});

describe('item 6: per-recipient limit on POST /emails', () => {
  it('many accounts cannot flood one mailbox with link emails; a refused request stores nothing', async () => {
    const auth = makeAuth({ rateLimit: { email: 'TEST_EMAIL_LIMIT_2' } });
    const victim = unique();
    // Login emails use the email tier too: the attackers log in on their own mailboxes.
    const attackers = [await loginWithAccess(auth, `${unique()}@attacker.example`), await loginWithAccess(auth, `${unique()}@attacker.example`)];
    expect((await addEmail(auth, attackers[0].accessToken, `${victim}@gmail.com`)).status).toBe(202);
    expect((await addEmail(auth, attackers[1].accessToken, `${victim}+x@gmail.com`)).status).toBe(202);
    const limited = await addEmail(auth, attackers[1].accessToken, `${victim.slice(0, 3)}.${victim.slice(3)}@googlemail.com`);
    expect(limited.status).toBe(429);
    expect(await errorOf(limited)).toMatchObject({ error: 'rate_limit_exceeded' });
    expect(limited.headers.get('Retry-After')).toBe('60');
    // Nothing recorded for the refused request: no claim row, no link.
    const googlemail = `${victim.slice(0, 3)}.${victim.slice(3)}@googlemail.com`;
    expect(await rows(auth, `SELECT email FROM user_emails WHERE email = ?`, googlemail)).toEqual([]);
    expect(await rows(auth, `SELECT COUNT(*) AS n FROM magic_links WHERE purpose = 'link'`)).toEqual([{ n: 2 }]);
    // The same mailbox's login links share that bucket (one budget per mailbox).
    expect((await requestLogin(auth, `${victim}@gmail.com`)).status).toBe(429);
  });
});
