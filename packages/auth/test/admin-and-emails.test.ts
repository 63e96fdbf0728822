/** Super-admin revocation (items 44–46) and multi-email accounts with linking (items 47–52). */
import { describe, expect, it } from 'vitest';
import { errorOf, loginWithAccess, ORIGIN, makeAuth, refreshWith, requestLink, rows, type TestAuth } from './helpers/auth.ts';

function revoke(auth: TestAuth, userId: string, token?: string) {
  return auth.fetch(auth.url(`/users/${encodeURIComponent(userId)}/sessions`), { method: 'DELETE', headers: token ? { Authorization: `Bearer ${token}` } : {} });
}

function emailsCall(auth: TestAuth, token: string | undefined, method: string, path = '', body?: unknown) {
  const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  return auth.fetch(auth.url(`/emails${path}?_test=true`), { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
}

describe('44–46: super-admin session revocation', () => {
  it('44: an admin (env list, case-insensitive) deletes all refresh tokens of a user; their refresh gets 401; other data untouched', async () => {
    const auth = makeAuth();
    const admin = await loginWithAccess(auth, 'boss@admin.example');
    const victim = await loginWithAccess(auth, 'victim@example.com');
    const second = await loginWithAccess(auth, 'victim@example.com');
    const before = await auth.stub.getUserById(victim.userId);
    const response = await revoke(auth, victim.userId, admin.accessToken);
    expect(response.status).toBe(200);
    // Two logins, each rotated once: four rows (two revoked by rotation, two live).
    expect(await response.json()).toEqual({ message: 'Sessions revoked', revoked: 4 });
    for (const token of [victim.refreshToken, second.refreshToken]) {
      const r = await refreshWith(auth, token);
      expect(r.status).toBe(401);
      expect(await errorOf(r)).toMatchObject({ error: 'invalid_token' });
    }
    expect(await auth.stub.getUserById(victim.userId)).toEqual(before);
    // The admin's own session is untouched.
    expect((await refreshWith(auth, admin.refreshToken)).status).toBe(200);
  });

  it('45: no token 401, non-admin 403, unknown user 404; an admin removed from the list gets 403 with the same token', async () => {
    const auth = makeAuth({ superAdminEmails: ['Config.Admin@example.com'] });
    const admin = await loginWithAccess(auth, 'config.admin@example.com');
    const user = await loginWithAccess(auth, 'plain@example.com');
    expect((await revoke(auth, user.userId)).status).toBe(401);
    const bad = await revoke(auth, user.userId, 'not.a.jwt');
    expect(bad.status).toBe(401);
    expect(await errorOf(bad)).toMatchObject({ error: 'invalid_token' });
    const forbidden = await revoke(auth, admin.userId, user.accessToken);
    expect(forbidden.status).toBe(403);
    expect(await errorOf(forbidden)).toMatchObject({ error: 'forbidden' });
    const unknown = await revoke(auth, 'no-such-user', admin.accessToken);
    expect(unknown.status).toBe(404);
    expect(await errorOf(unknown)).toMatchObject({ error: 'user_not_found' });
    expect((await revoke(auth, user.userId, admin.accessToken)).status).toBe(200);
    // Demote: no admin claim lives in tokens, so the very next call with the same token is refused.
    await auth.stub.configure({ redirect: '/app', magicLinkBaseUrl: ORIGIN, superAdminEmails: [] });
    expect((await revoke(auth, user.userId, admin.accessToken)).status).toBe(403);
  });

  it('46: revokeAllSessions over RPC returns the count and has the same effect', async () => {
    const auth = makeAuth();
    const user = await loginWithAccess(auth, 'rpc@example.com');
    expect(await auth.stub.revokeAllSessions(user.userId)).toBe(2);
    expect((await refreshWith(auth, user.refreshToken)).status).toBe(401);
    expect(await auth.stub.revokeAllSessions(user.userId)).toBe(0);
  });
});

describe('47: domain restriction', () => {
  it('a disallowed domain gives 403 domain_not_allowed; allowed domains work; rows record the domain', async () => {
    const auth = makeAuth({ allowedEmailDomains: ['Corp.Example'] });
    const refused = await auth.fetch(auth.url('/email-magic-link?_test=true'), { method: 'POST', body: JSON.stringify({ email: 'x@gmail.com' }) });
    expect(refused.status).toBe(403);
    expect(await errorOf(refused)).toMatchObject({ error: 'domain_not_allowed' });
    expect(await rows(auth, `SELECT * FROM magic_links`)).toEqual([]);
    const user = await loginWithAccess(auth, 'Emp@CORP.example');
    expect(await rows(auth, `SELECT email, domain FROM user_emails`)).toEqual([{ email: 'emp@corp.example', domain: 'corp.example' }]);
    // Linking is restricted too.
    const link = await emailsCall(auth, user.accessToken, 'POST', '', { email: 'me@gmail.com' });
    expect(link.status).toBe(403);
    expect(await errorOf(link)).toMatchObject({ error: 'domain_not_allowed' });
  });
});

describe('48–52: multiple emails per user', () => {
  it('48: POST /emails sends a link email and lists the address unverified; consuming it verifies on the same account, no cookie', async () => {
    const auth = makeAuth({}, 'MOCK_EMAIL_AUTH');
    const owner = await loginWithAccess(auth, 'owner@example.com');
    const added = await auth.fetch(auth.url('/emails'), { method: 'POST', headers: { Authorization: `Bearer ${owner.accessToken}` }, body: JSON.stringify({ email: 'Work@Example.com' }) });
    expect(added.status).toBe(202);
    expect(await added.json()).toEqual({ message: 'Check that mailbox for a confirmation link', expires_in: 1800 });
    const sent = (await auth.stub.sentEmails()).filter((e) => e.to === 'work@example.com');
    expect(sent).toHaveLength(1);
    expect(sent[0].purpose).toBe('link');
    const listed = (await (await emailsCall(auth, owner.accessToken, 'GET')).json()) as { emails: { email: string; verified: boolean; primary: boolean }[] };
    expect(listed.emails.map(({ email, verified, primary }) => ({ email, verified, primary }))).toEqual([
      { email: 'owner@example.com', verified: true, primary: true },
      { email: 'work@example.com', verified: false, primary: false },
    ]);
    const consumed = await auth.fetch(sent[0].magicLinkUrl, { redirect: 'manual' });
    expect(consumed.status).toBe(302);
    expect(consumed.headers.get('Location')).toBe('/app');
    expect(consumed.headers.get('Set-Cookie')).toBeNull();
    const user = (await auth.stub.getUserById(owner.userId))!;
    expect(user.emails.find((e) => e.email === 'work@example.com')).toMatchObject({ verified: true, primary: false });
    expect((await auth.stub.getUserByEmail('work@example.com'))?.id).toBe(owner.userId);
    // Already verified on the caller's account: 200, nothing sent.
    const again = await emailsCall(auth, owner.accessToken, 'POST', '', { email: 'work@example.com' });
    expect(again.status).toBe(200);
    expect((await auth.stub.sentEmails()).filter((e) => e.to === 'work@example.com')).toHaveLength(1);
  });

  it('49: linking an address verified on another account gives 409 email_in_use, at request and at consumption time', async () => {
    const auth = makeAuth();
    const a = await loginWithAccess(auth, 'a@example.com');
    await loginWithAccess(auth, 'b@example.com');
    const atRequest = await emailsCall(auth, a.accessToken, 'POST', '', { email: 'b@example.com' });
    expect(atRequest.status).toBe(409);
    expect(await errorOf(atRequest)).toMatchObject({ error: 'email_in_use' });
    // At consumption: A asks for c@, then the real owner of c@ signs in first.
    const pending = (await (await emailsCall(auth, a.accessToken, 'POST', '', { email: 'c@example.com' })).json()) as { magic_link: string };
    await loginWithAccess(auth, 'c@example.com');
    const late = await auth.fetch(pending.magic_link, { redirect: 'manual' });
    expect(late.status).toBe(409);
    expect(await errorOf(late)).toMatchObject({ error: 'email_in_use' });
    expect((await auth.stub.getUserByEmail('c@example.com'))?.id).not.toBe(a.userId);
  });

  it("50 (linking attack): an address pending on account A is still its owner's to log in with; A's claim is removed", async () => {
    const auth = makeAuth();
    const attacker = await loginWithAccess(auth, 'attacker@example.com');
    const claim = await emailsCall(auth, attacker.accessToken, 'POST', '', { email: 'victim@example.com' });
    expect(claim.status).toBe(202);
    // The unverified claim never authenticates anyone.
    expect(await auth.stub.getUserByEmail('victim@example.com')).toBeNull();
    const victim = await loginWithAccess(auth, 'victim@example.com');
    expect(victim.userId).not.toBe(attacker.userId);
    expect(await rows(auth, `SELECT user_id, verified FROM user_emails WHERE email = 'victim@example.com'`)).toEqual([{ user_id: victim.userId, verified: 1 }]);
    // The attacker's pending link is now useless.
    const link = ((await claim.json()) as { magic_link: string }).magic_link;
    expect((await auth.fetch(link, { redirect: 'manual' })).status).toBe(409);
  });

  it('51: primary rules', async () => {
    const auth = makeAuth();
    const u = await loginWithAccess(auth, 'p1@example.com');
    const linkFor = async (email: string) => ((await (await emailsCall(auth, u.accessToken, 'POST', '', { email })).json()) as { magic_link: string }).magic_link;
    // Only one verified address: it is primary, and it is the last verified one.
    const onlyOne = await emailsCall(auth, u.accessToken, 'DELETE', '/p1%40example.com');
    expect(onlyOne.status).toBe(409);
    expect(await errorOf(onlyOne)).toMatchObject({ error: 'last_verified_email' });
    const pendingLink = await linkFor('p2@example.com');
    const unverified = await emailsCall(auth, u.accessToken, 'POST', '/p2@example.com/primary');
    expect(unverified.status).toBe(409);
    expect(await errorOf(unverified)).toMatchObject({ error: 'email_unverified' });
    expect((await auth.fetch(pendingLink, { redirect: 'manual' })).status).toBe(302);
    const removePrimary = await emailsCall(auth, u.accessToken, 'DELETE', '/p1@example.com');
    expect(removePrimary.status).toBe(409);
    expect(await errorOf(removePrimary)).toMatchObject({ error: 'cannot_remove_primary' });
    const missing = await emailsCall(auth, u.accessToken, 'POST', '/nope@example.com/primary');
    expect(missing.status).toBe(404);
    expect(await errorOf(missing)).toMatchObject({ error: 'email_not_found' });
    expect((await emailsCall(auth, u.accessToken, 'DELETE', '/nope@example.com')).status).toBe(404);
    expect((await emailsCall(auth, u.accessToken, 'POST', '/P2@example.com/primary')).status).toBe(200);
    expect((await emailsCall(auth, u.accessToken, 'DELETE', '/p1@example.com')).status).toBe(200);
    const user = (await auth.stub.getUserById(u.userId))!;
    expect(user.email).toBe('p2@example.com');
    expect(user.emails.map((e) => e.email)).toEqual(['p2@example.com']);
  });

  it('52: email endpoints without a valid bearer token give 401', async () => {
    const auth = makeAuth();
    await requestLink(auth, 'x@example.com');
    for (const [method, path] of [['GET', ''], ['POST', ''], ['POST', '/x@example.com/primary'], ['DELETE', '/x@example.com']] as const) {
      expect((await emailsCall(auth, undefined, method, path, method === 'POST' ? { email: 'y@example.com' } : undefined)).status).toBe(401);
      const bad = await emailsCall(auth, 'e.y.j', method, path);
      expect(bad.status).toBe(401);
      expect(await errorOf(bad)).toMatchObject({ error: 'invalid_token' });
    }
  });
});
