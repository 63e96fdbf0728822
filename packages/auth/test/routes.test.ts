/** createAuthRoutes, schema, handshake, endpoint table, magic-link requests (items 1–6, 53–55). */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { LumenizeDO } from '@lumenize/mesh';
import { createAuthRoutes } from '../src/index.ts';
import { errorOf, makeAuth, ORIGIN, requestLink, rows } from './helpers/auth.ts';

const TABLES = ['schema_version', 'users', 'user_emails', 'magic_links', 'refresh_tokens'];
const INDEXES = [
  'user_emails_verified_email',
  'user_emails_primary_user',
  'user_emails_email',
  'user_emails_domain',
  'magic_links_email',
  'magic_links_expires_at',
  'refresh_tokens_user_id',
  'refresh_tokens_expires_at',
];

async function schemaOf(stub: DurableObjectStub) {
  return runInDurableObject(stub, (_i, state) => {
    const names = state.storage.sql.exec<{ name: string; type: string }>(`SELECT name, type FROM sqlite_master`).toArray();
    const version = state.storage.sql.exec<{ version: number }>(`SELECT version FROM schema_version`).toArray();
    return { tables: names.filter((n) => n.type === 'table').map((n) => n.name), indexes: names.filter((n) => n.type === 'index').map((n) => n.name), version };
  });
}

describe('1: schema', () => {
  it('tables and indexes exist after the first request', async () => {
    const auth = makeAuth();
    await auth.fetch(auth.url('/enter'));
    const schema = await schemaOf(auth.stub);
    expect(schema.tables).toEqual(expect.arrayContaining(TABLES));
    expect(schema.indexes).toEqual(expect.arrayContaining(INDEXES));
    expect(schema.version).toEqual([{ version: 1 }]);
  });

  it('tables and indexes exist after a first RPC call', async () => {
    const auth = makeAuth();
    expect(await auth.stub.getUserById('nobody')).toBeNull();
    const schema = await schemaOf(auth.stub);
    expect(schema.tables).toEqual(expect.arrayContaining(TABLES));
    expect(schema.indexes).toEqual(expect.arrayContaining(INDEXES));
  });
});

describe('LumenizeDO base', () => {
  it('the auth DO is a LumenizeDO and learns its binding and instance from the routing headers', async () => {
    const auth = makeAuth();
    await auth.fetch(auth.url('/enter'));
    const seen = await runInDurableObject(auth.stub, (instance, state) => ({
      isMeshNode: instance instanceof LumenizeDO,
      binding: state.storage.kv.get('__lmz_do_binding_name'),
      instance: state.storage.kv.get('__lmz_do_instance_name'),
    }));
    expect(seen).toEqual({ isMeshNode: true, binding: 'LUMENIZE_AUTH', instance: auth.instanceName });
  });
});

describe('2: configure handshake', () => {
  it('a fresh DO answers 503 not_configured directly, and the routes configure it and retry with the POST body intact', async () => {
    const auth = makeAuth();
    const direct = await auth.stub.fetch(`${ORIGIN}/auth/LUMENIZE_AUTH/${auth.instanceName}/enter`);
    expect(direct.status).toBe(503);
    expect(await errorOf(direct)).toMatchObject({ error: 'not_configured' });
    const response = await auth.fetch(auth.url('/email-magic-link?_test=true'), { method: 'POST', body: JSON.stringify({ email: 'first@example.com' }) });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { magic_link: string };
    expect(body.magic_link).toContain('/auth/magic-link?magic-link-token=');
    expect(await rows(auth, `SELECT email FROM magic_links`)).toEqual([{ email: 'first@example.com' }]);
  });
});

describe('3: routing boundaries', () => {
  it('returns undefined outside the prefix (segment boundary)', async () => {
    const auth = makeAuth();
    for (const path of ['/', '/other/enter', '/authx/enter', '/au']) {
      expect(await auth.routes(new Request(`${ORIGIN}${path}`))).toBeUndefined();
    }
  });

  it('respects a custom prefix in routing, links and the cookie path', async () => {
    const auth = makeAuth({ prefix: '/api/login/' });
    expect(await auth.routes(new Request(`${ORIGIN}/auth/enter`))).toBeUndefined();
    const link = await requestLink(auth, 'prefix@example.com');
    expect(link.startsWith(`${ORIGIN}/api/login/magic-link?`)).toBe(true);
    const response = await auth.fetch(link, { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('Set-Cookie')).toContain('Path=/api/login;');
  });

  it('cannot reach a non-configured instance', async () => {
    const auth = makeAuth();
    const other = makeAuth();
    await requestLink(other, 'victim@example.com');
    const response = await auth.fetch(auth.url(`/LUMENIZE_AUTH/${other.instanceName}/enter`));
    expect(response.status).toBe(404);
    expect(await errorOf(response)).toMatchObject({ error: 'not_found' });
    // The other instance was not touched by that request (it has its one link only).
    expect(await rows(other, `SELECT COUNT(*) AS n FROM magic_links`)).toEqual([{ n: 1 }]);
  });

  it('refuses a binding that is not a DO namespace at creation', () => {
    expect(() => createAuthRoutes(env, { redirect: '/app', gatewayBindingName: 'NOPE' })).toThrow(TypeError);
  });
});

describe('4: POST /auth/email-magic-link bad input', () => {
  it.each([
    ['invalid JSON', '{not json', 'Request body must be JSON'],
    ['a JSON array', '[1]', 'Request body must be a JSON object'],
    ['missing email', '{}', 'Missing email'],
    ['malformed email', JSON.stringify({ email: 'not-an-email' }), 'Invalid email address'],
    ['email without TLD', JSON.stringify({ email: 'a@localhost' }), 'Invalid email address'],
    ['non-string email', JSON.stringify({ email: 42 }), 'Invalid email address'],
    ['oversized email (255 chars)', JSON.stringify({ email: `${'a'.repeat(60)}@${'b'.repeat(190)}.com` }), 'Invalid email address'],
    ['header injection in email', JSON.stringify({ email: 'a@x.com\r\nBcc: evil@x.com' }), 'Invalid email address'],
    ['oversized body', JSON.stringify({ email: 'a@x.com', pad: 'x'.repeat(20_000) }), 'Request body too large'],
  ])('%s gives 400 invalid_request and stores nothing', async (_name, body, description) => {
    const auth = makeAuth();
    const response = await auth.fetch(auth.url('/email-magic-link?_test=true'), { method: 'POST', body });
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toEqual({ error: 'invalid_request', error_description: description });
    expect(await rows(auth, `SELECT * FROM magic_links`)).toEqual([]);
  });
});

describe('5: POST /auth/email-magic-link success', () => {
  it('answers 200 with expires_in = magicLinkTtl, byte-identical for a known and an unknown email', async () => {
    const auth = makeAuth({ magicLinkTtl: 600 }, 'MOCK_EMAIL_AUTH');
    // Make known@ a real user.
    const link = await requestLink(auth, 'known@example.com');
    expect((await auth.fetch(link, { redirect: 'manual' })).status).toBe(302);
    const send = (email: string) => auth.fetch(auth.url('/email-magic-link'), { method: 'POST', body: JSON.stringify({ email }) });
    const known = await send('known@example.com');
    const unknown = await send('unknown@example.com');
    expect(known.status).toBe(200);
    const knownText = await known.text();
    expect(knownText).toBe(await unknown.text());
    expect(JSON.parse(knownText)).toEqual({ message: 'Check your email for the magic link', expires_in: 600 });
    expect([...known.headers].sort()).toEqual([...unknown.headers].sort());
  });
});

describe('6: test mode', () => {
  it('returns magic_link built from magicLinkBaseUrl and the configured prefix', async () => {
    const auth = makeAuth({ prefix: '/id', magicLinkBaseUrl: 'https://login.example.com/ignored/path' });
    const response = await auth.fetch(auth.url('/email-magic-link?_test=true'), { method: 'POST', body: JSON.stringify({ email: 'tm@example.com' }) });
    const body = (await response.json()) as { message: string; magic_link: string; expires_in: number };
    expect(body.message).toBe('Check your email for the magic link');
    expect(body.expires_in).toBe(1800);
    expect(body.magic_link).toMatch(/^https:\/\/login\.example\.com\/id\/magic-link\?magic-link-token=[A-Za-z0-9_-]{43}&state=[A-Za-z0-9_-]{43}$/);
  });

  it('without AUTH_TEST_MODE the _test flag is ignored and the email is sent', async () => {
    const auth = makeAuth({}, 'NO_TEST_MODE_AUTH');
    const response = await auth.fetch(auth.url('/email-magic-link?_test=true'), { method: 'POST', body: JSON.stringify({ email: 'prod@example.com' }) });
    expect(await response.json()).toEqual({ message: 'Check your email for the magic link', expires_in: 1800 });
    const sent = await auth.stub.sentEmails();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ to: 'prod@example.com', purpose: 'login' });
  });
});

describe('53: endpoint table', () => {
  it('unknown path 404 JSON; GET refresh-token 405 with Allow: POST; GET enter lists endpoints', async () => {
    const auth = makeAuth();
    const unknown = await auth.fetch(auth.url('/nope'));
    expect(unknown.status).toBe(404);
    expect(await errorOf(unknown)).toEqual({ error: 'not_found', error_description: 'Unknown auth endpoint' });
    const wrong = await auth.fetch(auth.url('/refresh-token'));
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('Allow')).toBe('POST');
    expect(await errorOf(wrong)).toMatchObject({ error: 'method_not_allowed' });
    const enter = await auth.fetch(auth.url('/enter'));
    const { endpoints } = (await enter.json()) as { endpoints: { method: string; path: string }[] };
    expect(endpoints).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ method: 'POST', path: '/auth/email-magic-link' }),
        expect.objectContaining({ method: 'GET', path: '/auth/magic-link' }),
        expect.objectContaining({ method: 'POST', path: '/auth/refresh-token' }),
        expect.objectContaining({ method: 'POST', path: '/auth/logout' }),
        expect.objectContaining({ method: 'DELETE', path: '/auth/users/:userId/sessions' }),
        expect.objectContaining({ method: 'POST', path: '/auth/emails/:email/primary' }),
      ]),
    );
  });
});

describe('54: configure validation', () => {
  it.each([
    ['missing redirect', {}, /redirect/],
    ['protocol-relative redirect', { redirect: '//evil.example' }, /redirect/],
    ['backslash redirect', { redirect: '/\\evil.example' }, /redirect/],
    ['javascript: redirect', { redirect: 'javascript:alert(1)' }, /redirect/],
    ['negative accessTokenTtl', { redirect: '/a', accessTokenTtl: -1 }, /accessTokenTtl/],
    ['zero refreshTokenTtl', { redirect: '/a', refreshTokenTtl: 0 }, /refreshTokenTtl/],
    ['negative magicLinkTtl', { redirect: '/a', magicLinkTtl: -5 }, /magicLinkTtl/],
    ['negative grace', { redirect: '/a', refreshReuseGraceSeconds: -1 }, /refreshReuseGraceSeconds/],
    ['non-array allowedEmailDomains', { redirect: '/a', allowedEmailDomains: 'example.com' }, /allowedEmailDomains/],
    ['non-string superAdminEmails entry', { redirect: '/a', superAdminEmails: [1] }, /superAdminEmails/],
  ])('configure rejects %s with a TypeError naming the field', async (_name, config, field) => {
    const auth = makeAuth();
    // Called on the instance (same code path as RPC, without workerd logging each thrown RPC error).
    const error = await runInDurableObject(auth.stub, (instance) => {
      try {
        instance.configure(config as never);
        return null;
      } catch (e) {
        return { name: (e as Error).name, message: (e as Error).message };
      }
    });
    expect(error).not.toBeNull();
    expect(error!.name).toBe('TypeError');
    expect(error!.message).toMatch(field);
    // Still unconfigured.
    expect((await auth.stub.fetch(`${ORIGIN}/auth/x/y/enter`)).status).toBe(503);
  });

  it('over RPC the TypeError reaches the caller', async () => {
    const auth = makeAuth();
    // `.then` only: matchers probing an RPC promise's properties would create pipelined calls.
    const error = await auth.stub.configure({ redirect: '//evil.example' }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.name).toBe('TypeError');
    expect(error?.message).toMatch(/AuthConfig.redirect must not be protocol-relative/);
  });

  it('never sends cors over RPC: a validator-function cors configures fine and still decides in the Worker', async () => {
    const auth = makeAuth({ cors: { origin: (origin) => origin === 'https://good.example', credentials: true } });
    const good = await auth.fetch(auth.url('/enter'), { headers: { Origin: 'https://good.example' } });
    expect(good.status).toBe(200);
    expect(good.headers.get('Access-Control-Allow-Origin')).toBe('https://good.example');
    expect(good.headers.get('Access-Control-Allow-Credentials')).toBe('true');
    const bad = await auth.fetch(auth.url('/enter'), { headers: { Origin: 'https://evil.example' } });
    expect(bad.status).toBe(403);
  });
});
