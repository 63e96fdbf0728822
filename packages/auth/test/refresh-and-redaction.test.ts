/**
 * Issue 12 item 8: the refresh user tier is charged only for a token proven usable (a victim's
 * stale token cannot drain their bucket), and a provider's error text never brings an email
 * address into a log line. Real Miniflare rate limiter `TEST_USER_LIMIT_2` (2 per 60 s).
 */
import { runInDurableObject } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { debug } from '@lumenize/debug';
import { redactText } from '../src/redact.ts';
import { captureLogs, cookieToken, errorOf, login, makeAuth, refreshWith } from './helpers/auth.ts';

let logs: ReturnType<typeof captureLogs> | undefined;
afterEach(() => {
  logs?.restore();
  vi.restoreAllMocks();
});

const unique = () => crypto.randomUUID().slice(0, 8);

describe('item 8: refresh user tier after validity', () => {
  it("a stale (logged-out) token presented many times never drains its owner's bucket", async () => {
    const auth = makeAuth({ rateLimit: { user: 'TEST_USER_LIMIT_2' } });
    const email = `stale-${unique()}@example.com`;
    const oldDevice = await login(auth, email);
    const liveDevice = await login(auth, email);
    await auth.fetch(auth.url('/logout'), { method: 'POST', headers: { Cookie: `refresh-token=${oldDevice}` } });
    for (let i = 0; i < 4; i++) {
      const stale = await refreshWith(auth, oldDevice);
      expect(stale.status).toBe(401);
      expect(await errorOf(stale)).toMatchObject({ error: 'token_revoked' });
    }
    // The owner's live session still has its whole allowance (2 per 60 s).
    const first = await refreshWith(auth, liveDevice);
    expect(first.status).toBe(200);
    expect((await refreshWith(auth, cookieToken(first))).status).toBe(200);
  });

  it('an expired token does not drain the bucket either', async () => {
    const auth = makeAuth({ rateLimit: { user: 'TEST_USER_LIMIT_2' } });
    const email = `expired-${unique()}@example.com`;
    const expired = await login(auth, email);
    const live = await login(auth, email);
    // Expire only the first session (after the logins: their writes purge expired rows).
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(expired)));
    const hash = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
    await runInDurableObject(auth.stub, (_i, state) => {
      state.storage.sql.exec(`UPDATE refresh_tokens SET expires_at = ? WHERE token_hash = ?`, Date.now() - 1, hash);
    });
    for (let i = 0; i < 3; i++) expect(await errorOf(await refreshWith(auth, expired))).toMatchObject({ error: 'token_expired' });
    const first = await refreshWith(auth, live);
    expect(first.status).toBe(200);
    expect((await refreshWith(auth, cookieToken(first))).status).toBe(200);
  });

  it('a usable token is still limited, and the refused attempt does not spend it', async () => {
    const auth = makeAuth({ rateLimit: { user: 'TEST_USER_LIMIT_2' } });
    let token = await login(auth, `used-${unique()}@example.com`);
    for (let i = 0; i < 2; i++) token = cookieToken(await refreshWith(auth, token));
    expect((await refreshWith(auth, token)).status).toBe(429);
  });
});

describe('item 8: provider error text is redacted before logging', () => {
  it('an address in the provider error body (plain or percent-encoded) never reaches a log line', async () => {
    logs = captureLogs();
    debug.configure({ DEBUG: 'lmz.*' });
    const lines: string[] = [];
    for (const method of ['log', 'debug', 'info', 'warn', 'error'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' ')));
    }
    const auth = makeAuth({}, 'ECHOING_PROVIDER_AUTH');
    const local = `victim.person.${unique()}`;
    const response = await auth.fetch(auth.url('/email-magic-link'), { method: 'POST', body: JSON.stringify({ email: `${local}@example.com` }) });
    expect(response.status).toBe(200);
    const errors = logs.records.filter((r) => r.level === 'error' && r.message === 'email send failed');
    expect(errors).toHaveLength(1);
    const everything = [...logs.records.map((r) => JSON.stringify(r)), ...lines].join('\n');
    expect(everything).toContain('422');
    expect(everything).toContain('v***@example.com');
    for (const secret of [local, encodeURIComponent(`${local}@example.com`), 'support.desk@provider.example', 'upport.desk']) {
      expect(everything).not.toContain(secret);
    }
  });

  it('redactText reduces every embedded address and caps the length without leaving half an address', () => {
    expect(redactText('bad recipient bob.smith@example.com and ann%40corp.example')).toBe('bad recipient b***@example.com and a***@corp.example');
    const long = `${'x '.repeat(600)}someone.secret@example.com`;
    expect(redactText(long)).not.toContain('someone');
    expect(redactText(`${'y'.repeat(1_020)}someone.secret@example.com`)).not.toContain('someone');
    expect(redactText(undefined)).toBe('');
  });
});
