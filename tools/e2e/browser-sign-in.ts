/**
 * A scaffolded project's page in real Chromium (playwright-core, Debian's /usr/bin/chromium): what a
 * signed-out load requests and logs (issue 19: it must not POST /auth/refresh-token and log its 401),
 * and a sign-in the way a person does it in local development: the form, the link printed in the
 * terminal running `npm start`, then the signed-in page. One browser per test file, closed by
 * {@link closeBrowser}; each check gets a fresh context (no cookies).
 */
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium } from '../chromium.ts';

export const chromiumPath = findChromium();
let browser: Promise<Browser> | undefined;

async function newPage(): Promise<{ page: Page; requests: string[]; problems: string[] }> {
  browser ??= import('playwright-core').then(({ chromium }) => chromium.launch({ executablePath: chromiumPath!, args: CHROMIUM_ARGS }));
  const context = await (await browser).newContext();
  const page = await context.newPage();
  // Liveness bounds, not speed checks: a loaded 2-core machine makes page loads slow.
  page.setDefaultTimeout(60_000);
  page.setDefaultNavigationTimeout(60_000);
  const requests: string[] = [];
  const problems: string[] = [];
  page.on('request', (r) => requests.push(`${r.method()} ${new URL(r.url()).pathname}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('response', (r) => r.status() >= 400 && problems.push(`${r.status()} ${r.url()}`));
  return { page, requests, problems };
}

export interface SignedOutLoad {
  /** `METHOD /path` of every request the page made, in order. */
  requests: string[];
  /** Console errors, page errors and HTTP answers ≥ 400. */
  problems: string[];
}

/** Loads `url` with no cookies and waits for the sign-in form (an `input[type=email]`). */
export async function signedOutLoad(url: string): Promise<SignedOutLoad> {
  const { page, requests, problems } = await newPage();
  try {
    await page.goto(url);
    await page.waitForSelector('input[type=email]');
    return { requests: [...requests], problems: [...problems] };
  } finally {
    await page.context().close();
  }
}

export interface SignedIn {
  /** The signed-in page's first heading. */
  heading: string;
  /** The readable hint cookie, as the page sees it in `document.cookie`. */
  hint: boolean;
  /** Statuses of the page's POST /auth/refresh-token requests after following the link. */
  refreshStatuses: number[];
  problems: string[];
}

/**
 * Signs `email` in through the page: submits the form, takes the link `npm start` printed (read
 * from `output()` until it appears: a liveness bound of 30 s, not a timing assertion), follows it
 * and waits until the page no longer shows the sign-in form.
 */
export async function signInThroughPage(url: string, email: string, output: () => string): Promise<SignedIn> {
  const { page, problems } = await newPage();
  try {
    await page.goto(url);
    await page.fill('input[type=email]', email);
    await page.press('input[type=email]', 'Enter');
    const escaped = email.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const printed = new RegExp(`link for ${escaped}:\\s*(\\S+)`, 'g');
    let link: string | undefined;
    for (const deadline = Date.now() + 30_000; !(link = [...output().matchAll(printed)].at(-1)?.[1]); ) {
      if (Date.now() > deadline) throw new Error(`no sign-in link for ${email} in npm start's output within 30 s:\n${output()}`);
      await page.waitForTimeout(100);
    }
    const refreshStatuses: number[] = [];
    page.on('response', (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/auth/refresh-token' && refreshStatuses.push(r.status()));
    await page.goto(link);
    await page.waitForFunction(() => !document.querySelector('input[type=email]') && !!document.querySelector('h1') && document.querySelector('h1')!.textContent !== 'Sign in');
    const heading = (await page.textContent('h1')) ?? '';
    const hint = await page.evaluate(() => document.cookie.split('; ').includes('lmz-signed-in=1'));
    return { heading, hint, refreshStatuses, problems: [...problems] };
  } finally {
    await page.context().close();
  }
}

export async function closeBrowser(): Promise<void> {
  const open = browser;
  browser = undefined;
  await (await open)?.close();
}
