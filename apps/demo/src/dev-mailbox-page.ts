/** The DEV ONLY mailbox page: the magic links DemoAuth would have emailed, newest first. */
import type { DevMail } from './demo-auth.ts';

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Renders /dev/mailbox.
 * @example new Response(renderDevMailbox(mails), { headers: { 'Content-Type': 'text/html; charset=utf-8' } });
 */
export function renderDevMailbox(mails: DevMail[]): string {
  const items = mails.length
    ? mails
        .map(
          (m) => `<li>
      <div><strong>${escapeHtml(m.to)}</strong> <span class="when" data-at="${m.sentAt}"></span></div>
      <a class="magic-link" data-email="${escapeHtml(m.to)}" href="${escapeHtml(m.link)}">Sign in as ${escapeHtml(m.to)} →</a>
    </li>`,
        )
        .join('\n')
    : '<li class="empty">No magic links yet. Ask for one on the <a href="/">sign-in page</a>.</li>';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Dev mailbox · Lumenize Docs</title>
<link rel="icon" href="data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22 viewBox=%220 0 16 16%22%3E%3Cpath d=%22M8 1l7 7-7 7-7-7z%22 fill=%22%233454d1%22/%3E%3C/svg%3E">
<link rel="stylesheet" href="/app.css">
</head>
<body class="mailbox">
<main class="card">
  <p class="dev-badge">DEV ONLY</p>
  <h1>Dev mailbox</h1>
  <p class="muted">In local development no email is sent. These are the magic links that would have been
  emailed (the terminal running <code>npm start</code> prints them too). Each link works once.</p>
  <ul class="mail-list">
${items}
  </ul>
  <p><a href="/">← Back to Lumenize Docs</a></p>
</main>
<script>
  for (const el of document.querySelectorAll('.when')) el.textContent = new Date(Number(el.dataset.at)).toLocaleTimeString();
</script>
</body>
</html>`;
}
