/**
 * Browser entry (bundled by scripts/prepare.mjs into dist/public/app.js). Signed out: a sign-in
 * form. Signed in: a CounterClient connected through this tab's gateway, and the counter.
 */
import { CounterClient } from './counter-client.ts';

const root = document.getElementById('app')!;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text = ''): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.textContent = text;
  return node;
}

/** Reads `sub` (the user id) from an access token; the server verifies it, this only names the tab. */
function subjectOf(token: string): string {
  const payload = token.split('.')[1] ?? '';
  return (JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((payload.length + 3) % 4))) as { sub: string }).sub;
}

function showSignIn(message = ''): void {
  const form = el('form');
  const email = el('input');
  email.type = 'email';
  email.required = true;
  email.placeholder = 'you@example.com';
  const status = el('p', message);
  form.append(el('h1', 'Sign in'), email, el('button', 'Send magic link'), status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const response = await fetch('/auth/email-magic-link', { method: 'POST', body: JSON.stringify({ email: email.value }) });
    status.textContent = response.ok
      ? 'Link sent. In local development it is printed in the terminal running npm start.'
      : `Could not send the link (HTTP ${response.status}).`;
  });
  root.replaceChildren(form);
}

/** The readable hint the Worker sets next to the HttpOnly refresh cookie (`createAuthRoutes(env, { signedInHint: true })` in src/worker.ts). */
function signedInHint(): boolean {
  return document.cookie.split('; ').includes('lmz-signed-in=1');
}

async function boot(): Promise<void> {
  // No hint, no refresh cookie: show the form without a request (and without a 401 in the console).
  if (!signedInHint()) return showSignIn();
  // Same-origin: the browser sends the HttpOnly refresh cookie (path /auth) that the magic link set.
  const response = await fetch('/auth/refresh-token', { method: 'POST' });
  if (response.status === 401 || response.status === 403) document.cookie = 'lmz-signed-in=; Path=/; Max-Age=0'; // the session ended: drop the stale hint
  if (!response.ok) return showSignIn();
  const { access_token } = (await response.json()) as { access_token: string };
  const client = new CounterClient({
    instanceName: `${subjectOf(access_token)}.${crypto.randomUUID().slice(0, 8)}`,
    accessToken: access_token,
    onLoginRequired: () => showSignIn('Your session ended. Sign in again.'),
  });
  const count = el('output', '…');
  const button = el('button', 'Increment');
  const last = el('p');
  root.replaceChildren(el('h1', 'Shared counter'), count, button, last);
  client.follow((event) => {
    if (event instanceof Error) last.textContent = `Not following: ${event.message}`;
    else [count.textContent, last.textContent] = [String(event.count), `Last increment by ${event.by}`];
  });
  button.addEventListener('click', () => void client.increment());
  count.textContent = String(await client.read());
}

void boot();
