/**
 * A real LumenizeClient in a Node process (Node's own WebSocket and fetch) against the test Worker
 * served by real `wrangler dev`: call, inbound call, subscribe/publish, kill the socket, resume.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWranglerDev, type WranglerDev } from '../../../../../tools/wrangler-dev.ts';
import { LumenizeClient, mesh, type LumenizeClientConfig } from '../../../src/client/index.ts';
import '../../../src/client/pubsub.ts';
import { makeToken } from '../sim-auth.ts';

interface Echo {
  echo(value: unknown): unknown;
  callMeBack(method: string, args: unknown[]): { ok: boolean; value?: unknown };
}
interface News {
  post(topic: string, value: unknown): void;
}
interface Stream {
  record(n: number): number;
  received(): number[];
  streamToCaller(from: number, count: number): Array<{ n: number; ok: boolean }>;
}

class NodeClient extends LumenizeClient {
  received: number[] = [];
  news: unknown[] = [];

  @mesh
  ping(n: number): string {
    return `pong ${n} from node`;
  }

  @mesh
  receive(n: number): number {
    this.received.push(n);
    return n;
  }

  onNews(value: unknown): void {
    this.news.push(value);
  }
}

/** Node's WebSocket, recording instances so the test can kill the live one. */
const sockets: WebSocket[] = [];
class TrackedWebSocket extends WebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    super(url, protocols);
    sockets.push(this);
  }
}

async function until(predicate: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1_000; i++) {
    if (predicate()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

let dev: WranglerDev;
let client: NodeClient;

beforeAll(async () => {
  dev = await startWranglerDev({ cwd: join(import.meta.dirname, '..'), config: 'wrangler.jsonc', timeoutMs: 90_000 });
  const config: LumenizeClientConfig = {
    instanceName: `nora.node${Date.now()}`,
    baseUrl: dev.url,
    accessToken: makeToken('nora'),
    refresh: async () => makeToken('nora'),
    WebSocket: TrackedWebSocket as unknown as typeof WebSocket,
  };
  client = new NodeClient(config);
  await until(() => client.connectionState === 'connected', 'connected');
}, 120_000);

afterAll(async () => {
  client?.disconnect();
  await dev?.stop();
});

describe('LumenizeClient in Node against wrangler dev', () => {
  it('calls a DO and answers an inbound call', async () => {
    expect(await client.lmz.callRaw('ECHO', 'node-e1', client.ctn<Echo>().echo({ when: new Date(0), big: 12n }))).toEqual({ when: new Date(0), big: 12n });
    const back = (await client.lmz.callRaw('ECHO', 'node-e1', client.ctn<Echo>().callMeBack('ping', [3]))) as { ok: boolean; value: unknown };
    expect(back).toEqual({ ok: true, value: 'pong 3 from node' });
  });

  it('subscribes and receives a publish', async () => {
    const topicHost = `news-node-${Date.now()}`;
    using sub = client.subscribe('NEWS', topicHost, 'news', client.ctn<NodeClient>().onNews(client.ctn().$result));
    await until(() => sub.status === 'active', 'active');
    await client.lmz.callRaw('NEWS', topicHost, client.ctn<News>().post('news', { headline: 'from node' }));
    await until(() => client.news.length === 1, 'publish');
    expect(client.news).toEqual([{ headline: 'from node' }]);
  });

  it('kills the socket mid-stream and resumes: every call in both directions exactly once, in order', async () => {
    const stream = `node-stream-${Date.now()}`;
    const before = sockets.length;
    const inbound = client.lmz.callRaw('STREAM', stream, client.ctn<Stream>().streamToCaller(0, 30)) as Promise<Array<{ ok: boolean }>>;
    const calls: Array<Promise<unknown>> = [];
    for (let n = 0; n < 40; n++) {
      calls.push(client.lmz.callRaw('STREAM', stream, client.ctn<Stream>().record(n)));
      if (n === 15) {
        await until(() => client.received.length >= 5, 'inbound stream under way');
        sockets.at(-1)!.close(4000, 'killed by test');
      }
    }
    const expected = Array.from({ length: 40 }, (_, i) => i);
    expect(await Promise.all(calls)).toEqual(expected);
    expect((await inbound).every((r) => r.ok)).toBe(true);
    expect(client.received).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(sockets.length).toBeGreaterThan(before);
    expect(await client.lmz.callRaw('STREAM', stream, client.ctn<Stream>().received())).toEqual(expected);
  });
});
