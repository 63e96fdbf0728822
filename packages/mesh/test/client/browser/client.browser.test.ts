/**
 * A real browser (headless Chromium, vitest browser mode) running a page with a LumenizeClient:
 * it connects with the browser's own WebSocket to the gateway served by `wrangler dev`, calls a DO,
 * answers a call from the DO, and receives a publish.
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import { LumenizeClient, mesh } from '../../../src/client/index.ts';
import '../../../src/client/pubsub.ts';
import { makeToken } from '../sim-auth.ts';

interface Echo {
  echo(value: unknown): unknown;
  callMeBack(method: string, args: unknown[]): { ok: boolean; value?: unknown };
}
interface News {
  post(topic: string, value: unknown): void;
}

class PageClient extends LumenizeClient {
  news: unknown[] = [];

  @mesh
  ping(n: number): string {
    return `pong ${n} from ${(globalThis as { navigator?: { userAgent: string } }).navigator?.userAgent.includes('Chrome') ? 'chromium' : 'a browser'}`;
  }

  onNews(value: unknown): void {
    this.news.push(value);
  }
}

async function until(predicate: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1_000; i++) {
    if (predicate()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const client = new PageClient({
  instanceName: `paula.tab${Date.now()}`,
  baseUrl: inject('meshDevUrl'),
  accessToken: makeToken('paula'),
  refresh: async () => makeToken('paula'),
});

afterAll(() => client.disconnect());

describe('LumenizeClient in Chromium', () => {
  it('runs in a real browser page and connects with the native WebSocket', async () => {
    expect(typeof (globalThis as { document?: unknown }).document).toBe('object');
    await until(() => client.connectionState === 'connected', 'connected');
  });

  it('calls a DO and answers the DO calling back', async () => {
    expect(await client.lmz.callRaw('ECHO', 'browser-e1', client.ctn<Echo>().echo(new Map([[1, 'one']])))).toEqual(new Map([[1, 'one']]));
    expect(await client.lmz.callRaw('ECHO', 'browser-e1', client.ctn<Echo>().callMeBack('ping', [9]))).toEqual({ ok: true, value: 'pong 9 from chromium' });
  });

  it('receives a publish', async () => {
    const host = `news-browser-${Date.now()}`;
    using sub = client.subscribe('NEWS', host, 'news', client.ctn<PageClient>().onNews(client.ctn().$result));
    await until(() => sub.status === 'active', 'active');
    await client.lmz.callRaw('NEWS', host, client.ctn<News>().post('news', { headline: 'hello, browser' }));
    await until(() => client.news.length === 1, 'publish');
    expect(client.news).toEqual([{ headline: 'hello, browser' }]);
  });
});
