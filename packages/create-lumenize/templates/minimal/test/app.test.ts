/**
 * The app end to end inside workerd: sign-in through the real magic-link flow, then a
 * CounterClient (the same class the page uses) talking to CounterDO through its gateway, and the
 * `lmz-signed-in` hint cookie that spares a signed-out page load its refresh request.
 */
import { runInDurableObject, SELF, env } from 'cloudflare:test';
import { testLoginWithMagicLink } from '@lumenize/auth';
import { Browser } from '@lumenize/utils';
import { describe, expect, it } from 'vitest';
import { CounterClient, type CountEvent } from '../web/counter-client.ts';

const ORIGIN = 'https://localhost';
const selfFetch: typeof fetch = (input, init) => SELF.fetch(input as Request, init as RequestInit);

/** Signs `email` in and returns a connected-on-demand client for one tab. */
async function signedInClient(email: string): Promise<CounterClient> {
  const browser = new Browser(selfFetch);
  const userId = await testLoginWithMagicLink(browser, email, ORIGIN);
  const refreshed = await browser.fetch(`${ORIGIN}/auth/refresh-token`, { method: 'POST' });
  const { access_token } = (await refreshed.json()) as { access_token: string };
  return new CounterClient({
    instanceName: `${userId}.${crypto.randomUUID().slice(0, 8)}`,
    baseUrl: ORIGIN,
    accessToken: access_token,
    WebSocket: browser.WebSocket as unknown as typeof WebSocket,
    fetch: ((input: RequestInfo | URL, init?: RequestInit) => browser.fetch(input, init)) as typeof fetch,
  });
}

describe('signed out', () => {
  it('has no session: refresh answers 401', async () => {
    const response = await SELF.fetch(`${ORIGIN}/auth/refresh-token`, { method: 'POST' });
    expect(response.status).toBe(401);
    await response.body?.cancel();
  });

  it('cannot open a gateway socket without a token', async () => {
    const response = await SELF.fetch(`${ORIGIN}/gateway/LUMENIZE_CLIENT_GATEWAY/someone.tab`, { headers: { Upgrade: 'websocket' } });
    expect(response.status).toBe(401);
    expect(response.webSocket).toBeNull();
    await response.body?.cancel();
  });
});

describe('the signed-in hint (the page asks for a token only when it is set: no 401 on a signed-out load)', () => {
  it('the magic link sets a readable lmz-signed-in hint next to the HttpOnly refresh cookie; logout clears both', async () => {
    const asked = await SELF.fetch(`${ORIGIN}/auth/email-magic-link?_test=true`, { method: 'POST', body: JSON.stringify({ email: 'hint@example.com' }) });
    const { magic_link } = (await asked.json()) as { magic_link: string };
    const followed = await SELF.fetch(magic_link, { redirect: 'manual' });
    expect(followed.status).toBe(302);
    const cookies = followed.headers.getSetCookie();
    const refresh = cookies.find((c) => c.startsWith('refresh-token='))!;
    expect(refresh).toMatch(/HttpOnly/);
    const hint = cookies.find((c) => c.startsWith('lmz-signed-in='));
    // Same lifetime as the refresh cookie, readable by the page (no HttpOnly), and no secret in it.
    expect(hint).toBe(`lmz-signed-in=1; Path=/; Secure; SameSite=Strict; Max-Age=${/Max-Age=(\d+)/.exec(refresh)![1]}`);

    const out = await SELF.fetch(`${ORIGIN}/auth/logout`, { method: 'POST', headers: { Cookie: refresh.split(';')[0]! } });
    expect(out.status).toBe(200);
    expect(out.headers.getSetCookie().filter((c) => /^(refresh-token|lmz-signed-in)=/.test(c)).map((c) => c.split(';')[0])).toEqual(['refresh-token=', 'lmz-signed-in=']);
    expect(out.headers.getSetCookie().find((c) => c.startsWith('lmz-signed-in='))).toMatch(/Max-Age=0$/);
    await out.body?.cancel();
  });

  it('a refused refresh sets no hint', async () => {
    const response = await SELF.fetch(`${ORIGIN}/auth/refresh-token`, { method: 'POST' });
    expect(response.status).toBe(401);
    expect(response.headers.getSetCookie()).toEqual([]);
    await response.body?.cancel();
  });
});

describe('signed in', () => {
  it('increments the shared counter and every follower hears it', async () => {
    const alice = await signedInClient('alice@example.com');
    const bob = await signedInClient('bob@example.com');
    const heard = new Promise<CountEvent>((resolve, reject) => {
      bob.follow((event) => (event instanceof Error ? reject(event) : resolve(event)));
    });
    const before = await bob.read();
    const result = await alice.increment();
    expect(result.count).toBe(before + 1);
    expect(await heard).toEqual(result);
    // The count is in the Durable Object's storage, not only in memory.
    const stored = await runInDurableObject(env.COUNTER.getByName('main'), (_instance, state) => state.storage.kv.get<number>('count'));
    expect(stored).toBe(result.count);
    alice.disconnect();
    bob.disconnect();
  });
});
