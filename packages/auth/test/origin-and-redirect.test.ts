/**
 * Issue 12 item 7: the magic-link origin comes only from configuration outside local development,
 * and `redirect` is an allow-list (a same-origin path), refusing every form browsers fold off-site.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createAuthRoutes } from '../src/index.ts';
import { makeAuth, ORIGIN } from './helpers/auth.ts';

function creationError(config: Record<string, unknown>, extraEnv: Record<string, unknown> = {}): TypeError | null {
  try {
    createAuthRoutes({ ...env, ...extraEnv }, { redirect: '/app', ...config } as never);
    return null;
  } catch (error) {
    return error as TypeError;
  }
}

describe('item 7: magic-link origin', () => {
  it('without magicLinkBaseUrl and outside dev mode, createAuthRoutes throws a TypeError naming the setting and AUTH_DEV_MODE', () => {
    const error = creationError({});
    expect(error).toBeInstanceOf(TypeError);
    expect(error!.message).toMatch(/^AuthConfig\.magicLinkBaseUrl is required/);
    expect(error!.message).toContain('AUTH_DEV_MODE="true"');
    // Anything but exactly "true" is not dev mode.
    expect(creationError({}, { AUTH_DEV_MODE: 'TRUE' })).toBeInstanceOf(TypeError);
    expect(creationError({}, { AUTH_DEV_MODE: true })).toBeInstanceOf(TypeError);
  });

  it('configure over RPC refuses a config without magicLinkBaseUrl when the DO is not in dev mode', async () => {
    const auth = makeAuth();
    const error = await auth.stub.configure({ redirect: '/app' }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.name).toBe('TypeError');
    expect(error?.message).toMatch(/AuthConfig\.magicLinkBaseUrl is required/);
  });

  it('a hostile Host never reaches the link: links use the configured origin', async () => {
    const auth = makeAuth({ magicLinkBaseUrl: 'https://login.app.example' });
    const response = await auth.fetch('https://evil.example/auth/email-magic-link?_test=true', { method: 'POST', body: JSON.stringify({ email: 'host@example.com' }) });
    expect(response.status).toBe(200);
    const { magic_link } = (await response.json()) as { magic_link: string };
    expect(new URL(magic_link).origin).toBe('https://login.app.example');
  });

  it('in dev mode (AUTH_DEV_MODE="true" in Worker and DO) the request origin is used', async () => {
    const auth = makeAuth({ magicLinkBaseUrl: undefined }, 'DEV_MODE_AUTH', { AUTH_DEV_MODE: 'true' });
    const response = await auth.fetch('http://localhost:8787/auth/email-magic-link?_test=true', { method: 'POST', body: JSON.stringify({ email: 'dev@example.com' }) });
    expect(response.status).toBe(200);
    const { magic_link } = (await response.json()) as { magic_link: string };
    expect(new URL(magic_link).origin).toBe('http://localhost:8787');
  });
});

/** Each row: a redirect value that a browser (or a decoding server) could take off-site. */
const HOSTILE: Array<[string, string]> = [
  ['protocol-relative', '//evil.example'],
  ['protocol-relative with path', '//evil.example/app'],
  ['slash backslash', '/\\evil.example'],
  ['backslash slash', '\\/evil.example'],
  ['double backslash', '\\\\evil.example'],
  ['slash tab slash (issue example)', '/\t/evil.example'],
  ['slash newline slash', '/\n/evil.example'],
  ['slash carriage return slash', '/\r/evil.example'],
  ['leading tab', '\t//evil.example'],
  ['leading space', ' //evil.example'],
  ['NUL inside', '/\u0000/evil.example'],
  ['DEL inside', '/app\u007f'],
  ['C1 control inside', '/app\u0085/x'],
  ['ideographic space', '\u3000//evil.example'],
  ['fullwidth solidus', '/\uff0fevil.example'],
  ['encoded double slash', '/%2F%2Fevil.example'],
  ['encoded double slash, lower case', '/%2f%2fevil.example'],
  ['encoded backslash', '/%5Cevil.example'],
  ['encoded backslash, lower case', '/%5cevil.example'],
  ['double-encoded double slash', '/%252F%252Fevil.example'],
  ['triple-encoded backslash', '/%25255Cevil.example'],
  ['encoded tab', '/%09/evil.example'],
  ['encoded newline', '/%0A/evil.example'],
  ['encoded NUL', '/app%00'],
  ['encoded dot segments to //', '/%2e%2e//evil.example'],
  ['dot segments to //', '/..//evil.example'],
  ['single dot to //', '/.//evil.example'],
  ['malformed escape', '/app%zz'],
  ['other origin', 'https://evil.example/'],
  ['other scheme of our host', 'http://app.example/app'],
  ['other port of our host', 'https://app.example:8443/app'],
  ['our host as a prefix of theirs', 'https://app.example.evil.example/'],
  ['userinfo trick', 'https://app.example@evil.example/'],
  ['userinfo on our origin', 'https://user:pass@app.example/app'],
  ['scheme without slashes', 'https:evil.example'],
  ['backslash after scheme', 'https:\\\\evil.example'],
  ['javascript scheme', 'javascript:alert(1)'],
  ['data scheme', 'data:text/html,<script>alert(1)</script>'],
  ['relative path', 'evil.example'],
  ['parent-relative path', '../evil'],
  ['query only', '?next=//evil.example'],
  ['empty', ''],
];

describe('item 7: redirect allow-list', () => {
  it('has at least 20 hostile forms', () => {
    expect(HOSTILE.length).toBeGreaterThanOrEqual(20);
  });

  it.each(HOSTILE)('refuses %s with a TypeError naming redirect', (_name, redirect) => {
    const error = creationError({ redirect, magicLinkBaseUrl: ORIGIN });
    expect(error).toBeInstanceOf(TypeError);
    expect(error!.message).toMatch(/^AuthConfig\.redirect /);
  });

  it('configure in the DO refuses every hostile form too and stays unconfigured', async () => {
    const auth = makeAuth();
    const messages = await runInDurableObject(auth.stub, (instance) =>
      HOSTILE.map(([, redirect]) => {
        try {
          instance.configure({ redirect, magicLinkBaseUrl: ORIGIN });
          return `accepted ${JSON.stringify(redirect)}`;
        } catch (e) {
          return (e as Error).message.startsWith('AuthConfig.redirect ') ? 'refused' : (e as Error).message;
        }
      }),
    );
    expect(messages).toEqual(HOSTILE.map(() => 'refused'));
    expect((await auth.stub.fetch(`${ORIGIN}/auth/x/y/enter`)).status).toBe(503);
  });

  it.each([
    ['a path', '/app'],
    ['the root', '/'],
    ['a path with query and fragment', '/app/home?tab=1&x=%20y#top'],
    ['a path with an encoded character', '/caf%C3%A9'],
    ['our origin', ORIGIN],
    ['a URL on our origin', `${ORIGIN}/home?x=1`],
    ['a URL on our origin, upper-case scheme and host', 'HTTPS://APP.EXAMPLE/home'],
  ])('accepts %s and redirects to it after login', async (_name, redirect) => {
    const auth = makeAuth({ redirect });
    const link = ((await (await auth.fetch(auth.url('/email-magic-link?_test=true'), { method: 'POST', body: JSON.stringify({ email: 'ok@example.com' }) })).json()) as { magic_link: string }).magic_link;
    const response = await auth.fetch(link, { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('Location')).toBe(redirect);
  });

  it('an absolute redirect needs magicLinkBaseUrl (dev mode without it allows paths only)', () => {
    const devEnv = { AUTH_DEV_MODE: 'true' };
    expect(creationError({ redirect: '/app' }, devEnv)).toBeNull();
    expect(creationError({ redirect: 'http://localhost:8787/app' }, devEnv)?.message).toMatch(/^AuthConfig\.redirect .*magicLinkBaseUrl/);
  });
});
