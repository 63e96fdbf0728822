/** The sign-in screen: ask for a magic link; in local dev, point at the terminal and /dev/mailbox. */
import { requestMagicLink } from '../session-token.ts';
import { h } from './dom.ts';

/**
 * Replaces the page with the sign-in form.
 * @example renderLogin(document.getElementById('app')!);
 */
export function renderLogin(root: HTMLElement, notice?: string): void {
  const email = h('input', { id: 'email', type: 'email', required: true, autocomplete: 'email', placeholder: 'you@example.com' });
  const button = h('button', { type: 'submit', id: 'send-link' }, 'Send magic link');
  const error = h('p', { id: 'login-error', class: 'error', hidden: true });
  const sent = h(
    'div',
    { id: 'login-sent', class: 'sent', hidden: true },
    h('p', {}, 'Check your inbox for a sign-in link. It works once and expires in 30 minutes.'),
    h(
      'p',
      { class: 'dev-note' },
      h('span', { class: 'dev-badge' }, 'DEV'),
      ' Local development sends no email: the link is printed in the terminal running ',
      h('code', {}, 'npm start'),
      ' and listed in the ',
      h('a', { href: '/dev/mailbox', id: 'mailbox-link' }, 'dev mailbox'),
      '.',
    ),
  );
  const form = h('form', { id: 'login-form' }, h('label', { for: 'email' }, 'Email'), h('div', { class: 'row' }, email, button));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    button.disabled = true;
    error.hidden = true;
    const problem = await requestMagicLink(email.value.trim());
    button.disabled = false;
    if (problem) {
      error.textContent = `Could not send the link: ${problem}`;
      error.hidden = false;
      return;
    }
    sent.querySelector('p')!.textContent = `Link sent to ${email.value.trim()}. It works once and expires in 30 minutes.`;
    sent.hidden = false;
  });
  root.replaceChildren(
    h(
      'main',
      { class: 'login card' },
      h('div', { class: 'brand' }, h('span', { class: 'logo' }, '◆'), ' Lumenize Docs'),
      h('h1', {}, 'Sign in'),
      h('p', { class: 'muted' }, 'A collaborative editor running on Durable Objects. Sign in with a one-time link: no password.'),
      notice ? h('p', { class: 'notice' }, notice) : null,
      form,
      error,
      sent,
    ),
  );
  email.focus();
}
