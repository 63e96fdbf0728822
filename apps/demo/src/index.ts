/**
 * Demo Worker: the counter page and its API, backed by one CounterDO instance.
 * (A namespace stub from `get()` is not disposable in workerd; RPC results are.)
 */
import { renderPage } from './page.ts';

export { CounterDO } from './counter.ts';

interface Env {
  COUNTER: DurableObjectNamespace<import('./counter.ts').CounterDO>;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const counter = env.COUNTER.get(env.COUNTER.idFromName('demo'));
    if (url.pathname === '/' && request.method === 'GET') {
      return new Response(renderPage(await counter.count()), { headers: { 'content-type': 'text/html; charset=utf-8' } });
    }
    if (url.pathname === '/api/counter' && request.method === 'GET') {
      return Response.json({ count: await counter.count() });
    }
    if (url.pathname === '/api/counter/increment' && request.method === 'POST') {
      return Response.json({ count: await counter.increment() });
    }
    return new Response('Not found', { status: 404 });
  },
} satisfies ExportedHandler<Env>;
