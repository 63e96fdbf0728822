/**
 * HTTP endpoints the Browser tests talk to through SELF.fetch (any host reaches this Worker):
 * - `/browser/echo`: JSON of method, URL, headers and body.
 * - `/browser/set?c=<Set-Cookie>&c=...`: answers with those `Set-Cookie` headers.
 * - `/browser/redirect?status=302&to=<url>&c=<Set-Cookie>`: a redirect that may set cookies.
 * - `/browser/loop?n=<k>`: redirects to itself forever.
 * - `/browser/cors?acao=..&acac=..&methods=..&headers=..`: answers (preflights too) with those CORS headers.
 */
export async function browserEndpoint(request: Request): Promise<Response | undefined> {
  const url = new URL(request.url);
  if (!url.pathname.startsWith('/browser/')) return undefined;
  const q = url.searchParams;
  const headers = new Headers();
  for (const c of q.getAll('c')) headers.append('Set-Cookie', c);
  const echo = async () =>
    JSON.stringify({ method: request.method, url: request.url, headers: Object.fromEntries(request.headers), body: await request.text() });
  switch (url.pathname) {
    case '/browser/echo':
    case '/browser/set':
    case '/browser/deep/path/echo':
      headers.set('Content-Type', 'application/json');
      return new Response(await echo(), { headers });
    case '/browser/redirect':
      headers.set('Location', q.get('to') ?? '/browser/echo');
      return new Response(null, { status: Number(q.get('status') ?? 302), headers });
    case '/browser/loop':
      headers.set('Location', `/browser/loop?n=${Number(q.get('n') ?? 0) + 1}`);
      return new Response(null, { status: 302, headers });
    case '/browser/cors': {
      const set = (name: string, key: string) => q.has(key) && headers.set(name, q.get(key)!);
      set('Access-Control-Allow-Origin', 'acao');
      set('Access-Control-Allow-Credentials', 'acac');
      set('Access-Control-Allow-Methods', 'methods');
      set('Access-Control-Allow-Headers', 'headers');
      if (request.method === 'OPTIONS') return new Response(null, { status: 204, headers });
      headers.set('Content-Type', 'application/json');
      return new Response(await echo(), { headers });
    }
  }
  return new Response('unknown browser endpoint', { status: 404 });
}
