/** `testLoginWithMagicLink`: a whole login in one call, for tests (requires `AUTH_TEST_MODE=true`). */
import type { Browser } from '@lumenize/utils';
import { parseJwtUnsafe } from './jwt.ts';

/** Raised when a step of the test login fails; carries the status and response body, never cookies. */
export class TestLoginError extends Error {
  override name = 'TestLoginError';
  readonly status: number;
  constructor(step: string, status: number, body: string) {
    super(`testLoginWithMagicLink: ${step} failed with ${status}: ${body.slice(0, 300)}`);
    this.status = status;
  }
}

/**
 * Requests a test-mode magic link for `email`, follows it with `browser` (which keeps the
 * refresh cookie), refreshes once, and returns the user id (`sub`). The cookie stays in the jar.
 * @example const userId = await testLoginWithMagicLink(new Browser(SELF.fetch.bind(SELF)), 'alice@example.com');
 */
export async function testLoginWithMagicLink(browser: Browser, email: string, baseUrl = 'https://localhost', prefix = '/auth'): Promise<string> {
  const root = `${baseUrl.replace(/\/+$/, '')}/${prefix.replace(/^\/+|\/+$/g, '')}`;
  const requested = await browser.fetch(`${root}/email-magic-link?_test=true`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email }),
  });
  const requestText = await requested.text();
  let link: unknown;
  try {
    link = (JSON.parse(requestText) as { magic_link?: unknown }).magic_link;
  } catch {
    link = undefined;
  }
  if (!requested.ok || typeof link !== 'string') {
    throw new TestLoginError(requested.ok ? 'magic-link request (no magic_link: is AUTH_TEST_MODE "true"?)' : 'magic-link request', requested.status, requestText);
  }
  // `manual`: the cookie is stored from the 302 itself; the app's redirect target need not exist here.
  const followed = await browser.fetch(link, { redirect: 'manual' });
  if (followed.status !== 302) throw new TestLoginError('following the magic link', followed.status, await followed.text());
  const refreshed = await browser.fetch(`${root}/refresh-token`, { method: 'POST' });
  const refreshText = await refreshed.text();
  if (!refreshed.ok) throw new TestLoginError('refresh', refreshed.status, refreshText);
  const accessToken = (JSON.parse(refreshText) as { access_token?: unknown }).access_token;
  const sub = typeof accessToken === 'string' ? parseJwtUnsafe(accessToken)?.payload.sub : undefined;
  if (typeof sub !== 'string') throw new TestLoginError('refresh (no access token)', refreshed.status, '');
  return sub;
}
