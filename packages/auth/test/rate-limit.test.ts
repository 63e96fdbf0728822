/** Rate-limit tiers with real (Miniflare-enforced) rate-limit bindings (items 38–43). */
import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkRateLimit as checkFromAuth, createAuthMiddleware, createWebSocketAuthMiddleware } from '../src/index.ts';
import { checkRateLimit as checkFromUtils } from '@lumenize/utils';
import { debug } from '@lumenize/debug';
import { captureLogs, errorOf, login, makeAuth, refreshWith, rows } from './helpers/auth.ts';
import { blueToken, claims } from './helpers/keys.ts';

const unique = () => crypto.randomUUID().slice(0, 8);
let logs: ReturnType<typeof captureLogs> | undefined;
afterEach(() => {
  logs?.restore();
  debug.reset();
  vi.restoreAllMocks();
});

describe('38: IP tier in createAuthRoutes', () => {
  it('request N+1 from one IP gets 429 with Retry-After; another IP is unaffected; one IPv6 /64 shares a bucket', async () => {
    const auth = makeAuth({ rateLimit: { ip: 'TEST_IP_LIMIT_3', retryAfterSeconds: 42 } });
    const n = Math.floor(Math.random() * 200) + 1;
    const ip = `10.${n}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
    const from = (address: string) => auth.fetch(auth.url('/enter'), { headers: { 'CF-Connecting-IP': address } });
    for (let i = 0; i < 3; i++) expect((await from(ip)).status).toBe(200);
    const limited = await from(ip);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('Retry-After')).toBe('42');
    expect(await errorOf(limited)).toMatchObject({ error: 'rate_limit_exceeded' });
    expect((await from(`172.16.${n}.1`)).status).toBe(200);

    const net = `2001:db8:${unique().slice(0, 4)}:${n.toString(16)}`;
    expect((await from(`${net}::1`)).status).toBe(200);
    expect((await from(`${net}:0:0:0:ffff`)).status).toBe(200);
    expect((await from(`${net}:abcd::2`)).status).toBe(200);
    expect((await from(`${net}:1234:5678:9abc:def0`)).status).toBe(429);
    expect((await from(`2001:db8:ffff:${n.toString(16)}::1`)).status).toBe(200);
  });
});

describe('39: email tier', () => {
  it('is per normalized email: A@x.com and a@x.com share a bucket, b@x.com does not', async () => {
    const auth = makeAuth({ rateLimit: { email: 'TEST_EMAIL_LIMIT_2' } });
    const domain = `${unique()}.example`;
    const send = (email: string) => auth.fetch(auth.url('/email-magic-link?_test=true'), { method: 'POST', body: JSON.stringify({ email }) });
    expect((await send(`A@${domain}`)).status).toBe(200);
    expect((await send(`a@${domain}`)).status).toBe(200);
    const limited = await send(` A@${domain.toUpperCase()} `);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('Retry-After')).toBe('60');
    expect((await send(`b@${domain}`)).status).toBe(200);
  });
});

describe('40: user tier', () => {
  it('HTTP middleware: exceeding it gives 429 before the DO', async () => {
    const hook = await createAuthMiddleware({ publicKeysPem: [env.JWT_PUBLIC_KEY_BLUE], rateLimiter: env.TEST_USER_LIMIT_2 });
    const token = await blueToken(claims(`user-${unique()}`));
    const call = () => hook(new Request('https://x/protected/protected-do/r', { headers: { Authorization: `Bearer ${token}` } }));
    expect(await call()).toBeInstanceOf(Request);
    expect(await call()).toBeInstanceOf(Request);
    const limited = (await call()) as Response;
    expect(limited).toBeInstanceOf(Response);
    expect(limited.status).toBe(429);
    expect(await limited.json()).toMatchObject({ error: 'rate_limit_exceeded' });
    // A different user is unaffected.
    expect(await hook(new Request('https://x/', { headers: { Authorization: `Bearer ${await blueToken(claims(`other-${unique()}`))}` } }))).toBeInstanceOf(Request);
  });

  it('WebSocket upgrades by one user share a bucket across gateway instance names', async () => {
    const hook = await createWebSocketAuthMiddleware({ publicKeysPem: [env.JWT_PUBLIC_KEY_BLUE], rateLimiter: env.TEST_USER_LIMIT_2 });
    const userId = `ws-${unique()}`;
    const token = await blueToken(claims(userId));
    const upgrade = (instance: string) =>
      hook(new Request(`https://x/gateway/LUMENIZE_CLIENT_GATEWAY/${instance}`, { headers: { Upgrade: 'websocket', 'Sec-WebSocket-Protocol': `lmz, lmz.access-token.${token}` } }));
    expect(await upgrade(`${userId}.tab1`)).toBeInstanceOf(Request);
    expect(await upgrade(`${userId}.tab2`)).toBeInstanceOf(Request);
    expect(((await upgrade(`${userId}.tab3`)) as Response).status).toBe(429);
  });

  it('refresh is limited per user (refresh:<userId>) once the token identifies the user', async () => {
    const auth = makeAuth({ rateLimit: { user: 'TEST_USER_LIMIT_2' } });
    let token = await login(auth, `refresher-${unique()}@example.com`);
    for (let i = 0; i < 2; i++) {
      const ok = await refreshWith(auth, token);
      expect(ok.status).toBe(200);
      token = /^refresh-token=([^;]*)/.exec(ok.headers.get('Set-Cookie')!)![1];
    }
    const limited = await refreshWith(auth, token);
    expect(limited.status).toBe(429);
    // The presented token was not spent by the refused attempt.
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token)));
    const hash = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
    expect(await rows(auth, `SELECT revoked_at FROM refresh_tokens WHERE token_hash = ?`, hash)).toEqual([{ revoked_at: null }]);
  });
});

describe('41: fail open', () => {
  it('missing bindings: requests past every configured limit still succeed, with exactly one always-visible warning per missing binding', async () => {
    // DEBUG filters everything out: the warning must still be printed.
    debug.configure({});
    const lines: string[] = [];
    vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' ')));
    const id = unique().toUpperCase();
    const names = { ip: `NO_SUCH_IP_${id}`, email: `NO_SUCH_EMAIL_${id}`, user: `NO_SUCH_USER_${id}` };
    const auth = makeAuth({ rateLimit: names });
    for (let i = 0; i < 5; i++) {
      const response = await auth.fetch(auth.url('/email-magic-link?_test=true'), { method: 'POST', body: JSON.stringify({ email: 'same@example.com' }) });
      expect(response.status).toBe(200);
    }
    let token = await login(auth, `open-${unique()}@example.com`);
    for (let i = 0; i < 3; i++) {
      const refreshed = await refreshWith(auth, token);
      expect(refreshed.status).toBe(200);
      token = /^refresh-token=([^;]*)/.exec(refreshed.headers.get('Set-Cookie')!)![1];
    }
    // A second createAuthRoutes with the same names does not repeat the warnings.
    const again = makeAuth({ rateLimit: names });
    expect((await again.fetch(again.url('/enter'))).status).toBe(200);
    const records = lines.filter((l) => l.includes('lmz.auth.limitByBinding')).map((l) => JSON.parse(l) as { level: string; data: { binding: string; tier: string } });
    for (const [tier, name] of Object.entries(names)) {
      const forName = records.filter((r) => r.data.binding === name);
      expect(forName, `warnings for ${name}`).toHaveLength(1);
      expect(forName[0]).toMatchObject({ level: 'warn', data: { tier } });
    }
    expect(records).toHaveLength(3);
  });

  it('a binding whose limit throws fails open and warns once for that binding', async () => {
    logs = captureLogs();
    debug.configure({ DEBUG: 'lmz.*' });
    const broken = { limit: async () => Promise.reject(new Error('limiter outage')) } as unknown as RateLimit;
    const hook = await createAuthMiddleware({ publicKeysPem: [env.JWT_PUBLIC_KEY_BLUE], rateLimiter: broken, ipRateLimiter: broken });
    const token = await blueToken(claims(`u-${unique()}`));
    for (let i = 0; i < 3; i++) expect(await hook(new Request('https://x/', { headers: { Authorization: `Bearer ${token}` } }))).toBeInstanceOf(Request);
    const warns = logs.records.filter((r) => r.namespace === 'lmz.utils.checkRateLimit' && r.level === 'warn');
    expect(warns).toHaveLength(1);
  });
});

describe('42: checkRateLimit re-export', () => {
  it('is the utils function itself', () => {
    expect(checkFromAuth).toBe(checkFromUtils);
  });
});

describe('43: rateLimitPerHour', () => {
  it('logs a single warning and has no effect', async () => {
    logs = captureLogs();
    debug.configure({ DEBUG: 'lmz.auth.*' });
    const a = makeAuth({ rateLimitPerHour: 1 });
    makeAuth({ rateLimitPerHour: 1 });
    for (let i = 0; i < 3; i++) {
      const response = await a.fetch(a.url('/email-magic-link?_test=true'), { method: 'POST', body: JSON.stringify({ email: 'hourly@example.com' }) });
      expect(response.status).toBe(200);
    }
    const warns = logs.records.filter((r) => r.level === 'warn' && r.message.includes('rateLimitPerHour'));
    expect(warns).toHaveLength(1);
  });
});
