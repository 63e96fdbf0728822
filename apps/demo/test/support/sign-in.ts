/**
 * Signing in to the demo the way a person does in local dev: ask for a magic link, find it in the
 * DEV ONLY mailbox, follow it. For Node-side tests (plain fetch, cookies by hand) and for
 * Playwright pages (the real page, the real mailbox link).
 */
import type { Page } from 'playwright-core';

/** A signed-in Node-side user: the refresh cookie, an access token and the user id (`sub`). */
export interface NodeSession {
  email: string;
  /** Where `refresh()` goes (change it when the server restarts on another port). */
  baseUrl: string;
  cookie: string;
  accessToken: string;
  userId: string;
  /** Trades the refresh cookie for a new access token (rotates the cookie). */
  refresh(): Promise<string>;
}

function decodeEntities(s: string): string {
  return s.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code))).replace(/&amp;/g, '&');
}

/** The newest magic link for `email` in the dev mailbox page. */
export async function magicLinkFromMailbox(baseUrl: string, email: string): Promise<string> {
  const html = await (await fetch(`${baseUrl}/dev/mailbox`)).text();
  const escaped = email.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`data-email="${escaped}" href="([^"]+)"`).exec(html);
  if (!match) throw new Error(`No magic link for ${email} in the dev mailbox`);
  return decodeEntities(match[1]!);
}

function subjectOf(token: string): string {
  return (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { sub: string }).sub;
}

/**
 * Signs in over HTTP: magic link → dev mailbox → follow → refresh cookie → access token.
 * @example const alice = await signInOverHttp(dev.url, 'alice@example.com');
 */
export async function signInOverHttp(baseUrl: string, email: string): Promise<NodeSession> {
  const asked = await fetch(`${baseUrl}/auth/email-magic-link`, { method: 'POST', body: JSON.stringify({ email }) });
  if (!asked.ok) throw new Error(`email-magic-link answered ${asked.status}: ${await asked.text()}`);
  const followed = await fetch(await magicLinkFromMailbox(baseUrl, email), { redirect: 'manual' });
  if (followed.status !== 302) throw new Error(`magic link answered ${followed.status}: ${await followed.text()}`);
  let cookie = followed.headers.getSetCookie().map((c) => c.split(';')[0]!).find((c) => c.startsWith('refresh-token='));
  if (!cookie) throw new Error('The magic link set no refresh-token cookie');
  const session: NodeSession = {
    email,
    baseUrl,
    cookie,
    accessToken: '',
    userId: '',
    async refresh() {
      const response = await fetch(`${session.baseUrl}/auth/refresh-token`, { method: 'POST', headers: { Cookie: session.cookie } });
      if (!response.ok) throw new Error(`refresh-token answered ${response.status}: ${await response.text()}`);
      const rotated = response.headers.getSetCookie().map((c) => c.split(';')[0]!).find((c) => c.startsWith('refresh-token='));
      if (rotated) session.cookie = rotated;
      session.accessToken = ((await response.json()) as { access_token: string }).access_token;
      session.userId = subjectOf(session.accessToken);
      return session.accessToken;
    },
  };
  cookie = undefined;
  await session.refresh();
  return session;
}

/**
 * Signs in a Playwright page through the real UI: the form, the dev mailbox page, the link.
 * Resolves when the editor is ready.
 */
export async function signInPage(page: Page, baseUrl: string, email: string): Promise<void> {
  await page.goto(baseUrl);
  await page.fill('#email', email);
  await page.click('#send-link');
  await page.waitForSelector('#login-sent:not([hidden])');
  await page.click('#mailbox-link');
  await page.click(`a.magic-link[data-email="${email}"] >> nth=0`);
  await page.waitForSelector('#editor:not([disabled])', { timeout: 60_000 });
}
