/**
 * AuthConfig.signedInHint: a readable `lmz-signed-in` cookie set and cleared with the HttpOnly
 * refresh cookie (login, refresh, logout), never on a refused request, and off by default.
 */
import { describe, expect, it } from 'vitest';
import { createAuthRoutes } from '../src/index.ts';
import { SIGNED_IN_HINT, withSignedInHint } from '../src/signed-in-hint.ts';
import { env } from 'cloudflare:test';
import { login, makeAuth, refreshWith, requestLink } from './helpers/auth.ts';

const hintOf = (response: Response) => response.headers.getSetCookie().filter((c) => c.startsWith(`${SIGNED_IN_HINT}=`));
const SET = `${SIGNED_IN_HINT}=1; Path=/; Secure; SameSite=Strict; Max-Age=2592000`;
const CLEARED = `${SIGNED_IN_HINT}=; Path=/; Secure; SameSite=Strict; Max-Age=0`;

describe('signedInHint', () => {
  it('login sets the hint with the refresh cookie’s lifetime; it is readable (not HttpOnly)', async () => {
    const auth = makeAuth({ signedInHint: true });
    const link = await requestLink(auth, 'hint@example.com');
    const response = await auth.fetch(link, { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.getSetCookie()[0]).toMatch(/^refresh-token=[^;]+; Path=\/auth; HttpOnly/);
    expect(hintOf(response)).toEqual([SET]);
  });

  it('refresh renews it; a refused refresh and logout without a cookie leave it alone or clear it', async () => {
    const auth = makeAuth({ signedInHint: true });
    const token = await login(auth, 'renew@example.com');
    expect(hintOf(await refreshWith(auth, token))).toEqual([SET]);
    const refused = await refreshWith(auth, 'not-a-token');
    expect(refused.status).toBe(401);
    // A 401 clears nothing: another tab may hold the rotated, valid cookie.
    expect(refused.headers.getSetCookie()).toEqual([]);
    const logout = await auth.fetch(auth.url('/logout'), { method: 'POST' });
    expect(logout.status).toBe(200);
    expect(hintOf(logout)).toEqual([CLEARED]);
  });

  it('is off by default, and a non-boolean is refused at construction', async () => {
    const auth = makeAuth();
    const link = await requestLink(auth, 'off@example.com');
    expect(hintOf(await auth.fetch(link, { redirect: 'manual' }))).toEqual([]);
    expect(() => createAuthRoutes(env, { redirect: '/', magicLinkBaseUrl: 'https://app.example', signedInHint: 'yes' as unknown as boolean })).toThrow(/signedInHint must be a boolean/);
  });

  it('withSignedInHint passes a response without a refresh cookie through unchanged', () => {
    const plain = new Response('x', { headers: { 'Set-Cookie': 'other=1; Path=/' } });
    expect(withSignedInHint(plain)).toBe(plain);
  });
});
