/**
 * Lumenize Docs in real Chromium (playwright-core, Debian's /usr/bin/chromium) against real
 * `wrangler dev`: two isolated browser contexts sign in as different users through the magic-link
 * flow, edit one document together and see each other's text and who typed it; one goes offline
 * and comes back; nothing typed on either side is lost. Saves artifacts/demo-editor-two-users.png.
 * A 1 MB paste (over the client's frame limit) is refused with a toast, and the editor stays usable.
 * Switching documents never shows the previous document's last change or word count
 * (artifacts/demo-switch-document.png); an unknown `#/doc/<id>` opens no phantom document
 * (artifacts/demo-unknown-document.png). A reused magic link shows a page with a way back
 * (artifacts/demo-reused-link.png) and a signed-out load logs no error; a user who goes offline
 * leaves the others' presence list, and no developer jargon is on screen
 * (artifacts/demo-presence-offline.png); documents are renamed and deleted
 * (artifacts/demo-rename-delete.png). The Activity pane starts with an empty-state message and groups a
 * run of keystrokes into one row per person (artifacts/demo-activity.png).
 *
 * Without Chromium the suite is skipped with a loud message; under CI=true it must run.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, findChromium } from '../../../tools/chromium.ts';
import { startWranglerDev, type WranglerDev } from '../../../tools/wrangler-dev.ts';
import { buildWeb, ensureDevKeys } from '../scripts/prepare.mjs';
import { networkSwitch, type NetworkSwitch } from './support/network.ts';
import { magicLinkFromMailbox, signInPage } from './support/sign-in.ts';
// Pulls the browser sources (UI included) into the Node-side type check (DOM lib); erased at runtime.
import type {} from '../web/main.ts';

const app = join(dirname(fileURLToPath(import.meta.url)), '..');
const artifacts = join(app, '../../artifacts');
const chromium = findChromium();
if (!chromium) {
  if (process.env.CI === 'true') throw new Error('No Chromium found under CI=true: the demo browser tests must run (apt-get install -y chromium)');
  console.warn(
    '\n################################################################################\n' +
      '##  NO CHROMIUM FOUND: the demo browser tests (apps/demo) are SKIPPED.        ##\n' +
      '##  Install Debian\'s chromium (apt-get install -y chromium) to run them.      ##\n' +
      '################################################################################\n',
  );
}

/** What the editor page shows, read in one go. */
async function view(page: Page): Promise<{ text: string; lastEmail: string; status: string; presence: string[] }> {
  return page.evaluate(() => ({
    text: (document.getElementById('editor') as HTMLTextAreaElement).value,
    lastEmail: document.getElementById('last-change')?.dataset.userEmail ?? '',
    status: document.getElementById('status')?.dataset.state ?? '',
    presence: Array.from(document.querySelectorAll<HTMLElement>('#presence .chip'), (c) => c.dataset.email ?? ''),
  }));
}

/** Waits (up to `timeout` ms: a liveness check) until `predicate(view)` holds. */
async function until(page: Page, what: string, predicate: (v: Awaited<ReturnType<typeof view>>) => boolean, timeout = 15_000): Promise<void> {
  const deadline = Date.now() + timeout;
  let last = await view(page);
  while (!predicate(last)) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeout} ms waiting for ${what}; page shows ${JSON.stringify(last)}`);
    await page.waitForTimeout(50);
    last = await view(page);
  }
}

/** Types at the end of the editor, like a person clicking after the last word. */
async function typeAtEnd(page: Page, text: string): Promise<void> {
  await page.focus('#editor');
  await page.evaluate(() => {
    const editor = document.getElementById('editor') as HTMLTextAreaElement;
    editor.setSelectionRange(editor.value.length, editor.value.length);
  });
  await page.keyboard.type(text, { delay: 5 });
}

describe.skipIf(!chromium)('Lumenize Docs in Chromium', () => {
  let dev: WranglerDev;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    ensureDevKeys();
    await buildWeb();
    // A short presence timeout (heartbeats every 2 s) so an offline user leaves the list within seconds.
    dev = await startWranglerDev({ cwd: app, persistTo: mkdtempSync(join(tmpdir(), 'lmz-docs-browser-')), vars: { DEMO_PRESENCE_TIMEOUT_SECONDS: '6' } });
    const { chromium: pw } = await import('playwright-core');
    browser = await pw.launch({ executablePath: chromium, args: CHROMIUM_ARGS });
  }, 180_000);

  // Each test's users sign out of the machine when it ends: open tabs keep heartbeating and add load.
  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close().catch(() => {});
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await dev?.stop();
  }, 60_000);

  async function userPage(email: string): Promise<{ context: BrowserContext; page: Page; network: NetworkSwitch }> {
    const context = await browser.newContext({ viewport: { width: 1360, height: 820 } });
    contexts.push(context);
    const network = await networkSwitch(context);
    const page = await context.newPage();
    // Liveness bounds, not speed checks: a loaded 2-core machine makes page loads slow.
    page.setDefaultTimeout(60_000);
    page.setDefaultNavigationTimeout(60_000);
    await signInPage(page, dev.url, email);
    return { context, page, network };
  }

  it('two users edit one document: each sees the other\'s text and who typed it; offline edits on both sides survive', async () => {
    const alice = await userPage('alice@example.com');
    const bob = await userPage('bob@example.com');

    // Alice creates a document; it appears live in Bob's list (pub/sub on the registry) and he opens it.
    await alice.page.fill('#new-title', 'Trip plan');
    await alice.page.press('#new-title', 'Enter');
    await alice.page.waitForFunction(() => document.getElementById('doc-title')?.textContent === 'Trip plan' && !(document.getElementById('editor') as HTMLTextAreaElement).disabled);
    const docId = /#\/doc\/([\w-]+)$/.exec(alice.page.url())![1]!;
    await bob.page.click(`a[data-doc-id="${docId}"]`, { timeout: 15_000 });
    await bob.page.waitForFunction(() => document.getElementById('doc-title')?.textContent === 'Trip plan' && !(document.getElementById('editor') as HTMLTextAreaElement).disabled);
    await until(alice.page, 'Bob in Alice\'s presence list', (v) => v.presence.includes('bob@example.com') && v.presence.includes('alice@example.com'));

    // Alice types; Bob sees her text and that she made the change.
    await typeAtEnd(alice.page, 'Day 1: Lisbon.');
    await until(bob.page, 'Alice\'s text and name in Bob\'s editor', (v) => v.text === 'Day 1: Lisbon.' && v.lastEmail === 'alice@example.com');

    // Bob types; Alice sees his text and his name.
    await typeAtEnd(bob.page, ' Day 2: Porto.');
    await until(alice.page, 'Bob\'s text and name in Alice\'s editor', (v) => v.text === 'Day 1: Lisbon. Day 2: Porto.' && v.lastEmail === 'bob@example.com');
    // The word count came back through DocumentDO → WordCountWorker, for the user who typed.
    await alice.page.waitForFunction(() => /6 words/.test(document.getElementById('words')?.textContent ?? '') && /bob@example\.com/.test(document.getElementById('chain')?.textContent ?? ''), undefined, { timeout: 15_000 });

    // The autosave alarm snapshots the document a few seconds after the first edit.
    await alice.page.waitForFunction(() => /Autosaved snapshot v\d+/.test(document.getElementById('snapshot')?.textContent ?? ''), undefined, { timeout: 30_000 });
    mkdirSync(artifacts, { recursive: true });
    await alice.page.screenshot({ path: join(artifacts, 'demo-editor-two-users.png') });

    // Alice goes offline. Bob keeps writing; so does Alice, into her local editor.
    await alice.network.goOffline();
    await until(alice.page, 'the offline status', (v) => v.status === 'offline');
    // The socket really dropped: Alice's LumenizeClient is no longer connected.
    await alice.page.waitForFunction(() => (window as unknown as { lumenize: { client: { connectionState: string } } }).lumenize.client.connectionState !== 'connected', undefined, { timeout: 15_000 });
    await typeAtEnd(bob.page, ' Day 3: Sintra.');
    await typeAtEnd(alice.page, ' Pack sunscreen!');
    await until(bob.page, 'Bob\'s own text', (v) => v.text === 'Day 1: Lisbon. Day 2: Porto. Day 3: Sintra.');

    // Back online: Bob's edits reach Alice, Alice's reach Bob; both editors agree; nothing is lost.
    expect(alice.network.dropped).toBeGreaterThan(0);
    await alice.network.goOnline();
    const merged = (v: { text: string }) => ['Day 1: Lisbon.', ' Day 2: Porto.', ' Day 3: Sintra.', ' Pack sunscreen!'].every((part) => v.text.includes(part));
    await until(alice.page, 'Bob\'s offline-time edit in Alice\'s editor', (v) => merged(v) && v.status === 'connected', 15_000);
    await until(bob.page, 'Alice\'s offline-time edit in Bob\'s editor', (v) => merged(v) && v.lastEmail === 'alice@example.com', 15_000);
    expect((await view(alice.page)).text).toBe((await view(bob.page)).text);

    // A longer outage, past the gateway's 5 s grace period: Alice's subscriptions are lost with it.
    // On reconnect the client re-subscribes and the editor fetches the edits it missed.
    await alice.network.goOffline();
    await until(alice.page, 'the offline status again', (v) => v.status === 'offline');
    await typeAtEnd(bob.page, ' Day 4: Évora.');
    await typeAtEnd(alice.page, ' Book trains.');
    await alice.page.waitForTimeout(6_500);
    await alice.network.goOnline();
    const all = (v: { text: string }) => merged(v) && v.text.includes(' Day 4: Évora.') && v.text.includes(' Book trains.');
    await until(alice.page, 'edits from the long outage in Alice\'s editor', (v) => all(v) && v.status === 'connected', 15_000);
    await until(bob.page, 'Alice\'s long-outage edit in Bob\'s editor', all, 15_000);
    // Live updates work again (the subscription was re-established, not just caught up once).
    await typeAtEnd(bob.page, ' Day 5: home.');
    await until(alice.page, 'a new live edit after the outage', (v) => v.text.endsWith(' Day 5: home.') && v.lastEmail === 'bob@example.com');
    const [a, b] = [await view(alice.page), await view(bob.page)];
    expect(a.text).toBe(b.text);

    // What the DocumentDO stored is the same text: a fresh page load shows it.
    await bob.page.reload();
    await bob.page.waitForSelector('#editor:not([disabled])');
    expect((await view(bob.page)).text).toBe(a.text);
  }, 240_000);

  it('switching documents shows the new document\'s last change and word count, not the previous one\'s', async () => {
    const erin = await userPage('erin@example.com');
    const isOpen = (title: string) => document.getElementById('doc-title')?.textContent === title && !(document.getElementById('editor') as HTMLTextAreaElement).disabled;
    await erin.page.fill('#new-title', 'Written');
    await erin.page.press('#new-title', 'Enter');
    await erin.page.waitForFunction(isOpen, 'Written');
    const writtenId = /#\/doc\/([\w-]+)$/.exec(erin.page.url())![1]!;
    await typeAtEnd(erin.page, 'Three small words');
    await until(erin.page, 'Erin as the last editor', (v) => v.lastEmail === 'erin@example.com');
    await erin.page.waitForFunction(() => /3 words/.test(document.getElementById('words')?.textContent ?? '') && /erin@example\.com/.test(document.getElementById('chain')?.textContent ?? ''), undefined, { timeout: 15_000 });

    // A fresh document: no last change, no word count, nothing carried over.
    await erin.page.fill('#new-title', 'Empty');
    await erin.page.press('#new-title', 'Enter');
    await erin.page.waitForFunction(isOpen, 'Empty');
    const panel = () =>
      erin.page.evaluate(() => ({
        last: document.getElementById('last-change')?.textContent ?? '',
        lastEmail: document.getElementById('last-change')?.dataset.userEmail ?? '',
        words: document.getElementById('words')?.textContent ?? '',
        chain: document.getElementById('chain')?.textContent ?? '',
      }));
    expect(await panel()).toEqual({ last: 'No changes yet.', lastEmail: '', words: '0 words', chain: '' });
    // The Activity pane says it is empty rather than showing nothing.
    expect(await erin.page.evaluate(() => getComputedStyle(document.getElementById('activity')!, '::before').content)).toBe('"No edits yet in this document."');
    mkdirSync(artifacts, { recursive: true });
    await erin.page.screenshot({ path: join(artifacts, 'demo-switch-document.png') });

    // And back: the first document's own data returns.
    await erin.page.click(`a[data-doc-id="${writtenId}"]`, { timeout: 15_000 });
    await erin.page.waitForFunction(isOpen, 'Written');
    const back = await panel();
    expect(back.lastEmail).toBe('erin@example.com');
    expect(back.words).toMatch(/^3 words/);
  }, 180_000);

  it('the Activity pane starts empty with a message, and a run of keystrokes is one row per person, not one per key', async () => {
    const mona = await userPage('mona@example.com');
    const noah = await userPage('noah@example.com');
    const isOpen = (title: string) => document.getElementById('doc-title')?.textContent === title && !(document.getElementById('editor') as HTMLTextAreaElement).disabled;
    await mona.page.fill('#new-title', 'Activity');
    await mona.page.press('#new-title', 'Enter');
    await mona.page.waitForFunction(isOpen, 'Activity');
    const docId = /#\/doc\/([\w-]+)$/.exec(mona.page.url())![1]!;
    await noah.page.click(`a[data-doc-id="${docId}"]`, { timeout: 15_000 });
    await noah.page.waitForFunction(isOpen, 'Activity');
    const rows = (page: Page) =>
      page.evaluate(() => ({
        emptyText: getComputedStyle(document.getElementById('activity')!, '::before').content,
        rows: Array.from(document.querySelectorAll<HTMLElement>('#activity li'), (li) => ({ who: li.querySelector('.who')?.textContent ?? '', count: Number(li.dataset.count), what: li.querySelector('.what')?.textContent ?? '' })),
      }));

    // A new document: no rows, and the pane says so.
    expect(await rows(noah.page)).toEqual({ emptyText: '"No edits yet in this document."', rows: [] });

    // Mona types 24 characters, one key at a time: Noah's pane shows one row for her, counting the edits.
    const typed = 'Grouped, not one per key';
    await typeAtEnd(mona.page, typed);
    await until(noah.page, "Mona's text in Noah's editor", (v) => v.text === typed);
    const afterMona = await rows(noah.page);
    expect(afterMona.rows).toHaveLength(1);
    expect(afterMona.rows[0]!.who).toBe('mona@example.com');
    expect(afterMona.rows[0]!.count).toBeGreaterThan(1);
    expect(afterMona.rows[0]!.what).toMatch(new RegExp(`^${afterMona.rows[0]!.count} edits · up to v\\d+`));
    expect(afterMona.emptyText).toBe('none');

    // Noah types next: a second row (his, "You" on his own screen), still not one per key.
    await typeAtEnd(noah.page, '!!!');
    await until(mona.page, "Noah's text in Mona's editor", (v) => v.text === `${typed}!!!`);
    await noah.page.waitForFunction(() => document.querySelectorAll('#activity li').length === 2, undefined, { timeout: 15_000 });
    const own = await rows(noah.page);
    expect(own.rows.map((r) => r.who)).toEqual(['You', 'mona@example.com']);
    expect(own.rows.reduce((n, r) => n + r.count, 0)).toBeGreaterThanOrEqual(2);
    mkdirSync(artifacts, { recursive: true });
    await noah.page.screenshot({ path: join(artifacts, 'demo-activity.png') });
  }, 180_000);

  it('an unknown document id in the address opens no phantom document: a toast says so and a listed one opens', async () => {
    const frank = await userPage('frank@example.com');
    await frank.page.waitForSelector('#editor:not([disabled])');
    await frank.page.evaluate(() => (location.hash = '#/doc/no-such-doc'));
    await frank.page.waitForFunction(() => Array.from(document.querySelectorAll('.toast')).some((t) => /no document 'no-such-doc'/.test(t.textContent ?? '')), undefined, { timeout: 15_000 });
    const shown = await frank.page.evaluate(() => ({
      hash: location.hash,
      title: document.getElementById('doc-title')?.textContent ?? '',
      listed: Array.from(document.querySelectorAll<HTMLElement>('a[data-doc-id]'), (a) => a.dataset.docId),
    }));
    expect(shown.hash).not.toContain('no-such-doc');
    expect(shown.listed).toContain(shown.hash.replace('#/doc/', ''));
    expect(shown.listed).not.toContain('no-such-doc');
    mkdirSync(artifacts, { recursive: true });
    await frank.page.screenshot({ path: join(artifacts, 'demo-unknown-document.png') });
  }, 180_000);

  it('at 390 px wide nothing overflows sideways and the editor keeps most of a screen', async () => {
    const gina = await userPage('gina@example.com');
    await gina.page.setViewportSize({ width: 390, height: 844 });
    await gina.page.waitForSelector('#editor:not([disabled])');
    const layout = await gina.page.evaluate(() => ({
      pageWidth: document.documentElement.scrollWidth,
      topbarOverflow: document.querySelector('.topbar')!.scrollWidth - document.querySelector('.topbar')!.clientWidth,
      editorHeight: document.getElementById('editor')!.getBoundingClientRect().height,
    }));
    expect(layout.pageWidth).toBeLessThanOrEqual(390);
    expect(layout.topbarOverflow).toBeLessThanOrEqual(0);
    expect(layout.editorHeight).toBeGreaterThanOrEqual(400);
    mkdirSync(artifacts, { recursive: true });
    await gina.page.screenshot({ path: join(artifacts, 'demo-390px.png') });
  }, 180_000);

  it('a reused magic link shows a page with a way back to sign-in; a signed-out page load logs no error', async () => {
    const context = await browser.newContext({ viewport: { width: 1360, height: 820 } });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    page.setDefaultNavigationTimeout(60_000);
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('response', (r) => r.status() >= 400 && problems.push(`${r.status()} ${r.url()}`));
    await page.goto(dev.url);
    await page.waitForSelector('#email');
    expect(problems).toEqual([]);

    await signInPage(page, dev.url, 'henry@example.com');
    const link = await magicLinkFromMailbox(dev.url, 'henry@example.com');
    await page.click('#sign-out');
    await page.waitForSelector('#email');
    problems.length = 0;
    await page.goto(link);
    await page.waitForSelector('#link-failure');
    expect(await page.textContent('#link-failure')).toContain('This sign-in link was already used. Each link works once.');
    expect(await page.evaluate(() => document.body.innerText)).not.toContain('token_used');
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'demo-reused-link.png') });
    await page.click('#back-to-sign-in');
    await page.waitForSelector('#email');
    // The refused link itself (its honest 400, which Chromium also logs), and nothing else.
    expect(problems.sort()).toEqual([`400 ${link}`, 'Failed to load resource: the server responded with a status of 400 (Bad Request)']);
  }, 180_000);

  it('a user who goes offline leaves the others\' presence list and comes back with the network; no developer jargon on screen', async () => {
    const ivy = await userPage('ivy@example.com');
    const jack = await userPage('jack@example.com');
    await ivy.page.fill('#new-title', 'Presence');
    await ivy.page.press('#new-title', 'Enter');
    await ivy.page.waitForFunction(() => document.getElementById('doc-title')?.textContent === 'Presence' && !(document.getElementById('editor') as HTMLTextAreaElement).disabled);
    const docId = /#\/doc\/([\w-]+)$/.exec(ivy.page.url())![1]!;
    await jack.page.click(`a[data-doc-id="${docId}"]`, { timeout: 15_000 });
    await until(ivy.page, 'Jack in Ivy\'s presence list', (v) => v.presence.includes('jack@example.com'));
    await typeAtEnd(jack.page, 'Hello Ivy.');
    await ivy.page.waitForFunction(() => /jack@example\.com/.test(document.getElementById('chain')?.textContent ?? ''), undefined, { timeout: 15_000 });

    // What a user reads: names and times, no tab ids, no mesh internals (those sit in a closed "How this page works").
    const onScreen = await ivy.page.evaluate(() => document.body.innerText);
    expect(onScreen).toContain('Last change by jack@example.com');
    expect(onScreen).not.toMatch(/callContext|originAuth|LumenizeClient|LumenizeWorker|\btab [a-z0-9]{4,}/);
    await ivy.page.click('#behind summary');
    expect(await ivy.page.evaluate(() => document.body.innerText)).toContain('callContext.originAuth');
    await ivy.page.click('#behind summary');

    // Jack loses his network: his own page says presence is unknown, and Ivy soon sees only herself.
    await jack.network.goOffline();
    await jack.page.waitForFunction(() => document.getElementById('presence')?.textContent === 'Offline: presence unknown', undefined, { timeout: 15_000 });
    await until(ivy.page, 'Jack gone from Ivy\'s presence list', (v) => !v.presence.includes('jack@example.com'), 20_000);
    expect(await ivy.page.textContent('#presence')).toContain('Only you here');
    mkdirSync(artifacts, { recursive: true });
    await ivy.page.screenshot({ path: join(artifacts, 'demo-presence-offline.png') });

    // Back online: Jack is present again.
    await jack.network.goOnline();
    await until(ivy.page, 'Jack back in Ivy\'s presence list', (v) => v.presence.includes('jack@example.com'), 15_000);
    expect(await ivy.page.textContent('#presence')).toContain('1 other here');
  }, 180_000);

  it('documents are renamed by anyone and deleted by their creator; the others\' lists follow and an open copy closes', async () => {
    const kate = await userPage('kate@example.com');
    const liam = await userPage('liam@example.com');
    const isOpen = (title: string) => document.getElementById('doc-title')?.textContent === title && !(document.getElementById('editor') as HTMLTextAreaElement).disabled;
    await kate.page.fill('#new-title', 'Draft');
    await kate.page.press('#new-title', 'Enter');
    await kate.page.waitForFunction(isOpen, 'Draft');
    const docId = /#\/doc\/([\w-]+)$/.exec(kate.page.url())![1]!;
    await liam.page.click(`a[data-doc-id="${docId}"]`, { timeout: 15_000 });
    await liam.page.waitForFunction(isOpen, 'Draft');

    // Liam renames it; Kate's title and list follow live.
    await liam.page.click('#rename');
    await liam.page.fill('#rename-title', 'Final draft');
    await liam.page.press('#rename-title', 'Enter');
    await liam.page.waitForFunction(isOpen, 'Final draft');
    await kate.page.waitForFunction(
      (id) => document.getElementById('doc-title')?.textContent === 'Final draft' && document.querySelector(`a[data-doc-id="${id}"] .title`)?.textContent === 'Final draft',
      docId,
      { timeout: 15_000 },
    );

    // Liam cannot delete Kate's document: a toast says who can, and it stays.
    liam.page.once('dialog', (d) => void d.accept());
    await liam.page.click('#delete');
    await liam.page.waitForFunction(() => Array.from(document.querySelectorAll('.toast')).some((t) => /Only kate@example\.com can delete 'Final draft'/.test(t.textContent ?? '')), undefined, { timeout: 15_000 });
    expect(await liam.page.$(`a[data-doc-id="${docId}"]`)).not.toBeNull();

    // Kate deletes it (after the confirmation); it leaves both lists and Liam's open copy closes.
    let asked = '';
    kate.page.once('dialog', (d) => {
      asked = d.message();
      void d.accept();
    });
    await kate.page.click('#delete');
    expect(asked).toBe("Delete 'Final draft' for everyone? Its text and history cannot be restored.");
    for (const page of [kate.page, liam.page]) {
      await page.waitForFunction((id) => !document.querySelector(`a[data-doc-id="${id}"]`) && !location.hash.includes(id) && document.getElementById('doc-title')?.textContent !== 'Final draft', docId, { timeout: 15_000 });
    }
    await liam.page.waitForFunction(() => Array.from(document.querySelectorAll('.toast')).some((t) => /'Final draft' was deleted/.test(t.textContent ?? '')), undefined, { timeout: 15_000 });
    mkdirSync(artifacts, { recursive: true });
    await liam.page.screenshot({ path: join(artifacts, 'demo-rename-delete.png') });
  }, 180_000);

  it('a 1 MB paste is refused with a toast; the connection stays up and text typed afterwards reaches the other user', async () => {
    const carol = await userPage('carol@example.com');
    const dave = await userPage('dave@example.com');
    await carol.page.fill('#new-title', 'Big paste');
    await carol.page.press('#new-title', 'Enter');
    await carol.page.waitForFunction(() => document.getElementById('doc-title')?.textContent === 'Big paste' && !(document.getElementById('editor') as HTMLTextAreaElement).disabled);
    const docId = /#\/doc\/([\w-]+)$/.exec(carol.page.url())![1]!;
    await dave.page.click(`a[data-doc-id="${docId}"]`, { timeout: 15_000 });
    await dave.page.waitForFunction(() => document.getElementById('doc-title')?.textContent === 'Big paste' && !(document.getElementById('editor') as HTMLTextAreaElement).disabled);
    await typeAtEnd(carol.page, 'Intro.');
    await until(dave.page, 'Carol\'s first words in Dave\'s editor', (v) => v.text === 'Intro.');

    // Carol pastes 1 MB: the client refuses the frame (over its 1 MiB limit) before it is sent.
    await carol.page.focus('#editor');
    await carol.page.keyboard.insertText('x'.repeat(1_048_576));
    await carol.page.waitForFunction(() => Array.from(document.querySelectorAll('.toast')).some((t) => /too large to send/.test(t.textContent ?? '')), undefined, { timeout: 10_000 });
    // The refused edit is dropped: her editor shows the document again, still connected.
    await until(carol.page, 'Carol\'s editor back to the stored text', (v) => v.text === 'Intro.' && v.status === 'connected', 10_000);
    expect(await carol.page.evaluate(() => (window as unknown as { lumenize: { client: { connectionState: string } } }).lumenize.client.connectionState)).toBe('connected');

    // And she can keep writing: the next words reach Dave.
    await typeAtEnd(carol.page, ' Then more.');
    await until(dave.page, 'Carol\'s text after the refused paste in Dave\'s editor', (v) => v.text === 'Intro. Then more.' && v.lastEmail === 'carol@example.com');
    expect((await view(carol.page)).text).toBe('Intro. Then more.');
  }, 180_000);
});
