/**
 * Lumenize Docs end to end inside workerd: sign-in through the real magic-link flow, then two
 * DocsClients (the class the page uses) create a document, edit it and see each other's edits.
 */
import { SELF } from 'cloudflare:test';
import { testLoginWithMagicLink } from '@lumenize/auth';
import { Browser } from '@lumenize/utils';
import { describe, expect, it } from 'vitest';
import type { DocEvent, EditEvent } from '../src/shared/document-api.ts';
import { DocsClient } from '../web/docs-client.ts';

const ORIGIN = 'https://localhost';
const selfFetch: typeof fetch = (input, init) => SELF.fetch(input as Request, init as RequestInit);

async function signedInClient(email: string): Promise<DocsClient> {
  const browser = new Browser(selfFetch);
  const userId = await testLoginWithMagicLink(browser, email, ORIGIN);
  const refreshed = await browser.fetch(`${ORIGIN}/auth/refresh-token`, { method: 'POST' });
  const { access_token } = (await refreshed.json()) as { access_token: string };
  return new DocsClient({
    instanceName: `${userId}.${crypto.randomUUID().slice(0, 8)}`,
    baseUrl: ORIGIN,
    accessToken: access_token,
    WebSocket: browser.WebSocket as unknown as typeof WebSocket,
    fetch: ((input: RequestInfo | URL, init?: RequestInit) => browser.fetch(input, init)) as typeof fetch,
  });
}

describe('Lumenize Docs', () => {
  it('refuses a gateway socket without a token', async () => {
    const response = await SELF.fetch(`${ORIGIN}/gateway/LUMENIZE_CLIENT_GATEWAY/someone.tab`, { headers: { Upgrade: 'websocket' } });
    expect(response.status).toBe(401);
    await response.body?.cancel();
  });

  it('two signed-in users edit one document and see who typed', async () => {
    const alice = await signedInClient('alice@example.com');
    const bob = await signedInClient('bob@example.com');
    expect((await alice.whoAmI()).email).toBe('alice@example.com');
    const doc = await alice.createDoc('Shared notes');
    expect((await bob.listDocs()).map((d) => d.id)).toContain(doc.id);

    const state = await bob.openDoc(doc.id);
    let following!: { ready: Promise<void> };
    const heard = new Promise<EditEvent>((resolve, reject) => {
      following = bob.followDoc(doc.id, (event: DocEvent | Error) => {
        if (event instanceof Error) reject(event);
        else if (event.kind === 'edit') resolve(event);
      });
    });
    // Bob's subscribe and Alice's edit travel on different connections: edit once Bob is admitted.
    await following.ready;
    const edit = await alice.edit(doc.id, crypto.randomUUID(), state.version, ['Hello from Alice']);
    expect(edit.by.email).toBe('alice@example.com');
    const seen = await heard;
    expect(seen.version).toBe(edit.version);
    expect(seen.by.email).toBe('alice@example.com');
    expect((await bob.openDoc(doc.id)).text).toBe('Hello from Alice');
    alice.disconnect();
    bob.disconnect();
  });
});
