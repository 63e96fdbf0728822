/**
 * Browser entry (bundled by esbuild into dist/public/app.js): signed out → the sign-in screen;
 * signed in → a DocsClient connected through this tab's gateway, and the editor app.
 */
import type { ConnectionState } from '@lumenize/mesh/client';
import { DocsClient } from './docs-client.ts';
import { getAccessToken, signOut } from './session-token.ts';
import { EditorApp } from './ui/app-view.ts';
import { h } from './ui/dom.ts';
import { renderLogin } from './ui/login-view.ts';

const root = document.getElementById('app')!;

/** A random id for this page load: the tab part of the gateway instance name `{userId}.{tabId}`. */
function newTabId(): string {
  return crypto.randomUUID().replaceAll('-', '').slice(0, 10);
}

async function boot(): Promise<void> {
  const token = await getAccessToken();
  if (token.kind === 'signed-out') return renderLogin(root);
  if (token.kind === 'unreachable') {
    const retry = h('button', { type: 'button' }, 'Try again');
    retry.addEventListener('click', () => void boot());
    root.replaceChildren(h('main', { class: 'login card' }, h('h1', {}, 'Cannot reach the server'), h('p', { class: 'muted' }, token.error), retry));
    return;
  }
  let app: EditorApp | undefined;
  let state: ConnectionState = 'connecting';
  const client = new DocsClient({
    instanceName: `${token.userId}.${newTabId()}`,
    accessToken: token.token,
    onConnectionStateChange: (next) => {
      state = next;
      app?.connectionChanged(next);
    },
    onLoginRequired: () => {
      app?.stop();
      client.disconnect();
      renderLogin(root, 'Your session ended. Sign in again.');
    },
  });
  // Exposed for tests and for poking at the mesh from devtools.
  (window as unknown as { lumenize: unknown }).lumenize = { client };
  try {
    const me = await client.whoAmI();
    app = new EditorApp(root, client, me, () => {
      app?.stop();
      client.disconnect();
      void signOut().then(() => renderLogin(root, 'Signed out.'));
    });
    app.connectionChanged(state);
    await app.start();
  } catch (error) {
    client.disconnect();
    renderLogin(root, `Could not start: ${(error as Error).message}`);
  }
}

void boot();
