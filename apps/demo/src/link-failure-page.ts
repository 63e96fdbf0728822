/**
 * The page a browser sees when a magic link cannot sign it in (already used, expired, unknown).
 * The auth routes answer such links with a JSON error meant for programs; a person who clicked a
 * link in an email gets this page instead, with a way back to the sign-in form.
 */

const REASONS: Record<string, string> = {
  token_used: 'This sign-in link was already used. Each link works once.',
  token_expired: 'This sign-in link has expired.',
  invalid_token: 'This sign-in link is not valid (it may be incomplete or from another server).',
  invalid_state: 'This sign-in link is not valid (it may be incomplete or from another server).',
  invalid_request: 'This sign-in link is incomplete.',
  email_in_use: 'This email address is already verified on another account.',
};

/** The auth error code in a JSON error response, or undefined when it is not one. */
async function errorCode(response: Response): Promise<string | undefined> {
  if (!(response.headers.get('Content-Type') ?? '').includes('application/json')) return undefined;
  try {
    const body: unknown = await response.clone().json();
    const code = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Replaces a refused magic link's JSON answer with a friendly HTML page (same status) for browsers.
 * @example return (await friendlyLinkFailure(request, response)) ?? response;
 */
export async function friendlyLinkFailure(request: Request, response: Response): Promise<Response | undefined> {
  if (request.method !== 'GET' || new URL(request.url).pathname !== '/auth/magic-link' || response.status < 400) return undefined;
  if (!(request.headers.get('Accept') ?? '').includes('text/html')) return undefined;
  const code = await errorCode(response);
  if (!code) return undefined;
  const reason = REASONS[code] ?? 'This sign-in link did not work.';
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign-in link not valid · Lumenize Docs</title>
<link rel="icon" href="data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22 viewBox=%220 0 16 16%22%3E%3Cpath d=%22M8 1l7 7-7 7-7-7z%22 fill=%22%233454d1%22/%3E%3C/svg%3E">
<link rel="stylesheet" href="/app.css">
</head>
<body>
<main class="card login" id="link-failure" data-code="${code.replace(/[^\w]/g, '')}">
  <div class="brand"><span class="logo">◆</span> Lumenize Docs</div>
  <h1>That link didn't sign you in</h1>
  <p>${reason}</p>
  <p><a id="back-to-sign-in" href="/">Ask for a new sign-in link</a></p>
</main>
</body>
</html>`;
  return new Response(html, { status: response.status, headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' } });
}
