/**
 * Lumenize Docs over the real mesh, driven by Node-side DocsClients (the class the browser
 * bundles) against real `wrangler dev`: call context reaching the WordCountWorker, the autosave
 * alarm, presence, concurrent editors converging, and every bad-input and access path — each
 * refused with its exact error and the stored document left unchanged.
 *
 * | What the issue / brief asks                                  | Test                                              |
 * |--------------------------------------------------------------|---------------------------------------------------|
 * | word-count Worker through the DO shows callContext            | the WordCountWorker counts for the user who typed  |
 * | autosave snapshots via alarms                                 | the autosave alarm snapshots the document          |
 * | presence of other users                                       | presence lists every open tab                      |
 * | edits published to all subscribers; nothing lost             | two editors typing at once converge                |
 * | bad input leaves data unchanged                               | malformed / stale edits …, bad titles …            |
 * | router + auth middlewares                                      | upgrades without a valid token …, export …         |
 * | rename / delete documents (issue 19)                          | anyone renames a document, only its creator …      |
 * | reused magic link: a page, not raw JSON (issue 19)            | a used magic link opened in a browser …            |
 * | no 401 on a signed-out page load (issue 19)                   | signing in sets the readable lmz-signed-in hint …  |
 */
import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWranglerDev, type WranglerDev } from '../../../tools/wrangler-dev.ts';
import { buildWeb, ensureDevKeys } from '../scripts/prepare.mjs';
import type { DocEvent, DocState, WordStats } from '../src/shared/document-api.ts';
import { EditRejectedError, InvalidRequestError, InvalidTextOpError } from '../src/shared/errors.ts';
import { DocSession, type EditorSurface } from '../web/doc-session.ts';
import type { DocsClient } from '../web/docs-client.ts';
import { connectNodeClient, eventually } from './support/node-client.ts';
import { magicLinkFromMailbox, signInOverHttp, type NodeSession } from './support/sign-in.ts';

const app = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Status of a WebSocket upgrade request (fetch refuses Upgrade headers, so node:http). */
function upgradeStatus(base: string, path: string, protocols: string, extra: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, {
      headers: { Upgrade: 'websocket', Connection: 'Upgrade', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Protocol': protocols, ...extra },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The error a promise rejects with (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

/** An in-memory editor for DocSession (what a textarea is in the browser). */
class MemoryEditor implements EditorSurface {
  text = '';
  caret = 0;
  read() {
    return { text: this.text, selectionStart: this.caret, selectionEnd: this.caret };
  }
  write(text: string, start: number) {
    this.text = text;
    this.caret = start;
  }
  /** Types at the caret, like a person. */
  type(s: string) {
    this.text = this.text.slice(0, this.caret) + s + this.text.slice(this.caret);
    this.caret += s.length;
  }
}

// Booted alongside the main server (in parallel, to save time) for the mailbox off-switch test.
let mailboxOff: Promise<WranglerDev> | undefined;

describe('Lumenize Docs on the mesh (Node clients, real wrangler dev)', () => {
  let dev: WranglerDev;
  let alice: NodeSession;
  let bob: NodeSession;
  let aliceClient: DocsClient;
  let bobClient: DocsClient;

  beforeAll(async () => {
    ensureDevKeys();
    await buildWeb();
    mailboxOff = startWranglerDev({ cwd: app, persistTo: mkdtempSync(join(tmpdir(), 'lmz-docs-nomail-')), vars: { DEMO_DEV_MAILBOX: 'false' } });
    mailboxOff.catch(() => {});
    dev = await startWranglerDev({ cwd: app, persistTo: mkdtempSync(join(tmpdir(), 'lmz-docs-app-')) });
    alice = await signInOverHttp(dev.url, 'alice@example.com');
    bob = await signInOverHttp(dev.url, 'bob@example.com');
    aliceClient = await connectNodeClient(dev.url, alice, 'node1');
    bobClient = await connectNodeClient(dev.url, bob, 'node2');
  }, 120_000);

  afterAll(async () => {
    aliceClient?.[Symbol.dispose]();
    bobClient?.[Symbol.dispose]();
    await dev?.stop();
  });

  async function newDoc(title: string): Promise<string> {
    return (await aliceClient.createDoc(title)).id;
  }

  it('whoAmI answers with the verified user and the email the Worker added as a claim', async () => {
    expect(await aliceClient.whoAmI()).toEqual({ userId: alice.userId, email: 'alice@example.com' });
  });

  it('the WordCountWorker counts for the user who typed, and sees the chain browser tab → DocumentDO', async () => {
    const docId = await newDoc('Counting');
    const events: DocEvent[] = [];
    using _sub = aliceClient.followDoc(docId, (e) => e instanceof Error || events.push(e));
    await aliceClient.openDoc(docId);
    await bobClient.edit(docId, 'count-edit-0001', 0, ['one two three']);
    const stats = await eventually(() => events.find((e): e is { kind: 'stats'; stats: WordStats } => e.kind === 'stats')?.stats, 'a stats event');
    expect(stats).toEqual({
      version: 1,
      words: 3,
      characters: 13,
      countedFor: { userId: bob.userId, email: 'bob@example.com' },
      callChain: [
        { type: 'LumenizeClient', bindingName: 'LUMENIZE_CLIENT_GATEWAY', instanceName: `${bob.userId}.node2` },
        { type: 'LumenizeDO', bindingName: 'DOCUMENT', instanceName: docId },
      ],
    });
    // The registry heard about it from the DocumentDO (a guarded method only DocumentDOs may call).
    const listed = await eventually(async () => (await aliceClient.listDocs()).find((d) => d.id === docId && d.words === 3), 'the list to show 3 words');
    expect(listed.lastEditor).toBe('bob@example.com');
  });

  it('the autosave alarm snapshots the document a few seconds after an edit', async () => {
    const docId = await newDoc('Autosave');
    const events: DocEvent[] = [];
    using _sub = aliceClient.followDoc(docId, (e) => e instanceof Error || events.push(e));
    await aliceClient.openDoc(docId);
    await aliceClient.edit(docId, 'autosave-edit-1', 0, ['draft']);
    const snapshot = await eventually(() => events.find((e) => e.kind === 'snapshot'), 'a snapshot event', 30_000);
    expect(snapshot).toMatchObject({ kind: 'snapshot', version: 1 });
    expect((await aliceClient.openDoc(docId)).snapshot?.version).toBe(1);
  });

  it('presence lists every open tab and drops a tab that leaves', async () => {
    const docId = await newDoc('Presence');
    const people: string[][] = [];
    using _sub = aliceClient.followDoc(docId, (e) => !(e instanceof Error) && e.kind === 'presence' && people.push(e.people.map((p) => p.email ?? '')));
    await aliceClient.openDoc(docId);
    const both = await bobClient.openDoc(docId);
    expect(both.people.map((p) => p.email).sort()).toEqual(['alice@example.com', 'bob@example.com']);
    bobClient.leave(docId);
    await eventually(() => (people.at(-1)?.join() === 'alice@example.com' ? true : undefined), 'Bob to leave the presence list');
  });

  it('two editors typing at the same time converge on one text that keeps every word', async () => {
    const docId = await newDoc('Race');
    const editors = [new MemoryEditor(), new MemoryEditor()];
    const clients = [aliceClient, bobClient];
    const sessions = clients.map((client, i) => {
      const session = new DocSession(
        { open: () => client.openDoc(docId), edit: (id, base, op) => client.edit(docId, id, base, op), sync: (v) => client.sync(docId, v) },
        editors[i]!,
      );
      client.followDoc(docId, (e) => !(e instanceof Error) && e.kind === 'edit' && session.receive(e));
      return session;
    });
    await Promise.all(sessions.map((s) => s.load()));
    const words = [['alpha', 'bravo', 'charlie', 'delta', 'echo'], ['one', 'two', 'three', 'four', 'five']];
    for (let i = 0; i < 5; i++) {
      for (const k of [0, 1]) {
        editors[k]!.type(`${words[k]![i]} `);
        sessions[k]!.localChanged();
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    const settled = () => (editors[0]!.text === editors[1]!.text && !sessions.some((s) => s.hasPendingChanges) ? editors[0]!.text : undefined);
    const text = await eventually(settled, 'both editors to agree', 10_000);
    for (const word of words.flat()) expect(text).toContain(`${word} `);
    expect((await aliceClient.openDoc(docId)).text).toBe(text);
    for (const s of sessions) s.close();
    clients.forEach((c) => c.unfollowDoc(docId));
  });

  it('retrying an edit with the same id applies it once', async () => {
    const docId = await newDoc('Retry');
    const first = await aliceClient.edit(docId, 'retry-edit-0001', 0, ['once']);
    const again = await aliceClient.edit(docId, 'retry-edit-0001', 0, ['once']);
    expect(again).toEqual(first);
    const state = await aliceClient.openDoc(docId);
    expect([state.text, state.version]).toEqual(['once', 1]);
    // What a reconnecting client asks for: the missing edits, or the whole state when it is confused.
    expect(await aliceClient.sync(docId, 0)).toEqual({ kind: 'edits', edits: [first] });
    expect(await aliceClient.sync(docId, 1)).toEqual({ kind: 'edits', edits: [] });
    expect(await aliceClient.sync(docId, 99)).toMatchObject({ kind: 'state', state: { text: 'once', version: 1 } });
  });

  it('malformed, stale and oversized edits are refused with their error and change nothing', async () => {
    const docId = await newDoc('Bad edits');
    await aliceClient.edit(docId, 'bad-edit-base01', 0, ['keep me']);
    const before: DocState = await aliceClient.openDoc(docId);
    const cases: Array<[string, Promise<unknown>, new (...a: never[]) => Error, string]> = [
      ['not an array', aliceClient.edit(docId, 'bad-edit-00001', 1, 'x' as never), InvalidTextOpError, 'An edit must be an array'],
      ['zero component', aliceClient.edit(docId, 'bad-edit-00002', 1, [0]), InvalidTextOpError, 'non-zero integers'],
      ['wrong length', aliceClient.edit(docId, 'bad-edit-00003', 1, [3, 'x']), InvalidTextOpError, 'made for a text of 3 characters, but the document has 7'],
      ['base ahead', aliceClient.edit(docId, 'bad-edit-00004', 9, [7, 'x']), EditRejectedError, 'based on version 9, but the document is at 1'],
      ['bad id', aliceClient.edit(docId, 'no', 1, [7, 'x']), EditRejectedError, 'opId must be 8-64'],
      ['negative base', aliceClient.edit(docId, 'bad-edit-00005', -1, [7, 'x']), EditRejectedError, 'baseVersion must be a whole number'],
      ['too long', aliceClient.edit(docId, 'bad-edit-00006', 1, [7, 'x'.repeat(200_000)]), EditRejectedError, 'at most 200000 characters'],
      ['bad sync', aliceClient.sync(docId, -5), EditRejectedError, 'sinceVersion must be a whole number'],
    ];
    for (const [label, promise, type, message] of cases) {
      const error = await rejection(promise);
      expect(error, label).toBeInstanceOf(type);
      expect(error.message, label).toContain(message);
    }
    const after = await aliceClient.openDoc(docId);
    expect([after.text, after.version]).toEqual([before.text, before.version]);
  });

  it('bad titles are refused with InvalidRequestError and the list is unchanged', async () => {
    const before = (await aliceClient.listDocs()).length;
    for (const title of ['', '   ', 'x'.repeat(81), 42 as unknown as string]) {
      const error = await rejection(aliceClient.createDoc(title));
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect(error.message).toBe('A document title needs 1 to 80 characters');
    }
    expect((await aliceClient.listDocs()).length).toBe(before);
  });

  it('anyone renames a document, only its creator deletes it (text and history wiped); bad ids and titles are refused', async () => {
    const docId = await newDoc('Draft');
    await aliceClient.edit(docId, 'manage-edit-001', 0, ['secret plans']);
    const seen: string[] = [];
    const sub = bobClient.followDocs((e) => !(e instanceof Error) && seen.push(e.kind === 'removed' ? `removed ${e.id}` : `upsert ${e.doc.title}`));
    await eventually(() => sub.status === 'active' || undefined, 'Bob following the list');

    // Bob renames Alice's document; the list follows live.
    expect((await bobClient.renameDoc(docId, '  Final   draft ')).title).toBe('Final draft');
    await eventually(() => seen.includes('upsert Final draft') || undefined, 'the rename on the docs topic');
    for (const [title, message] of [['', 'A document title needs 1 to 80 characters'], ['x'.repeat(81), 'A document title needs 1 to 80 characters']] as const) {
      const error = await rejection(bobClient.renameDoc(docId, title));
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect(error.message).toBe(message);
    }
    const unknown = await rejection(bobClient.renameDoc('no-such-doc', 'x'));
    expect(unknown).toBeInstanceOf(InvalidRequestError);
    expect(unknown.message).toBe("There is no document 'no-such-doc'");
    expect((await rejection(bobClient.renameDoc(42 as unknown as string, 'x'))).message).toBe('A document id must be a string');

    // Bob may not delete it (nor the welcome document, which nobody created); nothing changes.
    const refused = await rejection(bobClient.removeDoc(docId));
    expect(refused).toBeInstanceOf(InvalidRequestError);
    expect(refused.message).toBe("Only alice@example.com can delete 'Final draft' (the user who created it)");
    expect((await rejection(aliceClient.removeDoc('welcome'))).message).toBe("Only nobody can delete 'Welcome to Lumenize Docs' (the user who created it)");
    expect((await rejection(aliceClient.removeDoc('no-such-doc'))).message).toBe("There is no document 'no-such-doc'");
    expect((await aliceClient.listDocs()).find((d) => d.id === docId)?.title).toBe('Final draft');
    expect((await aliceClient.openDoc(docId)).text).toBe('secret plans');

    // Alice deletes it: gone from the list, announced on the topic, and its DocumentDO wiped.
    await aliceClient.removeDoc(docId);
    expect((await aliceClient.listDocs()).map((d) => d.id)).not.toContain(docId);
    await eventually(() => seen.includes(`removed ${docId}`) || undefined, 'the removal on the docs topic');
    await eventually(async () => ((await aliceClient.openDoc(docId)).version === 0 ? true : undefined), 'the DocumentDO purge');
    const wiped = await aliceClient.openDoc(docId);
    expect([wiped.text, wiped.lastEdit, wiped.stats]).toEqual(['', null, null]);
    sub.unsubscribe();
  });

  it('a used magic link opened in a browser gets a page with a way back; programs still get the JSON error', async () => {
    const email = 'reuse@example.com';
    await signInOverHttp(dev.url, email);
    const link = await magicLinkFromMailbox(dev.url, email);
    const page = await fetch(link, { headers: { Accept: 'text/html,application/xhtml+xml' }, redirect: 'manual' });
    expect(page.status).toBe(400);
    expect(page.headers.get('Content-Type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    expect(html).toContain('This sign-in link was already used. Each link works once.');
    expect(html).toContain('<a id="back-to-sign-in" href="/">');
    const api = await fetch(link, { redirect: 'manual' });
    expect(api.status).toBe(400);
    expect(((await api.json()) as { error: string }).error).toBe('token_used');
  });

  it('signing in sets the readable lmz-signed-in hint next to the refresh cookie, and logout clears it', async () => {
    const email = 'hint@example.com';
    await fetch(`${dev.url}/auth/email-magic-link`, { method: 'POST', body: JSON.stringify({ email }) });
    const followed = await fetch(await magicLinkFromMailbox(dev.url, email), { redirect: 'manual' });
    const cookies = followed.headers.getSetCookie();
    expect(cookies.some((c) => c.startsWith('refresh-token=') && /HttpOnly/.test(c))).toBe(true);
    const hint = cookies.find((c) => c.startsWith('lmz-signed-in='));
    expect(hint).toMatch(/^lmz-signed-in=1; Path=\/; Secure; SameSite=Strict; Max-Age=[1-9]\d*$/);
    expect(hint).not.toMatch(/HttpOnly/);
    const refresh = cookies.find((c) => c.startsWith('refresh-token='))!.split(';')[0]!;
    const out = await fetch(`${dev.url}/auth/logout`, { method: 'POST', headers: { Cookie: refresh } });
    expect(out.headers.getSetCookie().find((c) => c.startsWith('lmz-signed-in='))).toBe('lmz-signed-in=; Path=/; Secure; SameSite=Strict; Max-Age=0');
  });

  it('browsers cannot reach the DO-only entry points or non-mesh methods', async () => {
    const docId = await newDoc('Guarded');
    await aliceClient.edit(docId, 'guarded-edit-01', 0, ['safe']);
    const call = (binding: string, instance: string | undefined, method: string, ...args: unknown[]) =>
      aliceClient.lmz.callRaw(binding, instance, [{ type: 'get', key: method }, { type: 'apply', args }]);
    expect((await rejection(call('WORD_COUNT', undefined, 'count', 'a b', 1))).message).toBe('WordCountWorker.count is only for DocumentDO');
    expect((await rejection(call('DOC_REGISTRY', 'main', 'documentChanged', docId, { version: 99, words: 0, lastEditor: 'mallory' }))).message).toBe('documentChanged is only for DocumentDO');
    expect((await rejection(call('DOCUMENT', docId, 'purge'))).message).toBe('purge is only for DocumentRegistryDO');
    expect((await rejection(call('DOCUMENT', docId, 'autosave'))).message).toContain('not mesh-callable');
    expect((await rejection(call('DOCUMENT', docId, 'wordCounted', { version: 99, words: 1e6 }))).message).toContain('not mesh-callable');
    const listed = (await aliceClient.listDocs()).find((d) => d.id === docId)!;
    expect(listed.lastEditor).not.toBe('mallory');
    expect((await aliceClient.openDoc(docId)).text).toBe('safe');
  });

  it('subscribing to a topic a DO does not publish fails once with its error', async () => {
    const errors: Error[] = [];
    const sub = aliceClient.lmz.subscribe('DOCUMENT', 'some-doc', 'secrets', aliceClient.ctn<DocsClient>().onDocEvent('some-doc', aliceClient.ctn().$result));
    aliceClient.followDoc('some-doc', (e) => e instanceof Error && errors.push(e));
    await eventually(() => errors[0], 'the refusal');
    expect(errors[0]!.message).toBe("DocumentDO publishes only 'doc', not 'secrets'");
    expect(sub.status).toBe('failed');
  });

  it('upgrades without a valid token, or to a non-gateway binding, are refused by the router', async () => {
    const gateway = `/gateway/LUMENIZE_CLIENT_GATEWAY/${alice.userId}.forged`;
    expect(await upgradeStatus(dev.url, gateway, 'lmz')).toBe(401);
    expect(await upgradeStatus(dev.url, gateway, 'lmz, lmz.access-token.not-a-jwt')).toBe(401);
    // A client-sent identity header is stripped before the middleware runs.
    expect(await upgradeStatus(dev.url, gateway, 'lmz', { 'X-Auth-User-Id': alice.userId })).toBe(401);
    // Bob's valid token cannot open Alice's gateway (the gateway checks the user part of the name).
    expect(await upgradeStatus(dev.url, gateway, `lmz, lmz.access-token.${bob.accessToken}`)).toBe(403);
    expect(await upgradeStatus(dev.url, '/gateway/DOCUMENT/welcome', `lmz, lmz.access-token.${alice.accessToken}`)).toBe(403);
  });

  it('export is plain HTTP through the router, authenticated by createAuthMiddleware', async () => {
    const docId = await newDoc('Export me');
    await aliceClient.edit(docId, 'export-edit-001', 0, ['exported text']);
    const url = `${dev.url}/gateway/DOCUMENT/${docId}/export`;
    const anonymous = await fetch(url, { headers: { 'X-Auth-User-Id': alice.userId } });
    expect(anonymous.status).toBe(401);
    const ok = await fetch(url, { headers: { Authorization: `Bearer ${alice.accessToken}` } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-disposition')).toBe(`attachment; filename="${docId}.txt"`);
    expect(await ok.text()).toBe('exported text');
  });
});

describe('the DEV ONLY mailbox is off unless DEMO_DEV_MAILBOX is "true"', () => {
  it('with DEMO_DEV_MAILBOX=false, /dev/mailbox is 404 and no link is kept, while login requests still answer', async () => {
    const dev = await (mailboxOff ?? startWranglerDev({ cwd: app, persistTo: mkdtempSync(join(tmpdir(), 'lmz-docs-nomail-')), vars: { DEMO_DEV_MAILBOX: 'false' } }));
    try {
      const asked = await fetch(`${dev.url}/auth/email-magic-link`, { method: 'POST', body: JSON.stringify({ email: 'eve@example.com' }) });
      expect(asked.status).toBe(200);
      expect(await asked.json()).toEqual({ message: 'Check your email for the magic link', expires_in: 1800 });
      expect((await fetch(`${dev.url}/dev/mailbox`)).status).toBe(404);
      expect(dev.output()).not.toContain('[dev mailbox]');
    } finally {
      await dev.stop();
    }
  }, 90_000);
});
