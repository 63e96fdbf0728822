/**
 * A real LumenizeClient on the compact wire (docs/mesh-clients.md "Wire format"), in workerd: what
 * it sends and receives, and that a new session (grace expired) re-establishes its interned targets
 * before using them.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { afterEach, describe, expect, it } from 'vitest';
import type { LumenizeClient } from '../../src/client/index.ts';
import { TestClient, browserFor, connected, installWindowStub, makeClient } from './test-client.ts';
import { tab, until } from './helpers.ts';
import type { EchoDO } from './worker.ts';

const live: LumenizeClient[] = [];
afterEach(() => {
  for (const c of live.splice(0)) c.disconnect();
});

/** The client's sent and received text frames, parsed. */
function recorder(Base: typeof WebSocket) {
  const sent: Array<Record<string, unknown>> = [];
  const received: Array<Record<string, unknown>> = [];
  const sockets: WebSocket[] = [];
  const WebSocketImpl = class extends (Base as unknown as new (url: string, protocols?: string | string[]) => WebSocket) {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      sockets.push(this);
      this.addEventListener('message', (e: MessageEvent) => {
        if (String(e.data).startsWith('{')) received.push(JSON.parse(String(e.data)) as Record<string, unknown>);
      });
    }
    override send(data: string | ArrayBuffer | ArrayBufferView): void {
      if (typeof data === 'string' && data.startsWith('{')) sent.push(JSON.parse(data) as Record<string, unknown>);
      super.send(data);
    }
  } as unknown as typeof WebSocket;
  /** Drops the current socket from the client's side (close 4000), as a network loss would. */
  const drop = () => sockets.at(-1)?.close(4000, 'test drop');
  return { sent, received, WebSocketImpl, drop };
}

function wired(userId: string) {
  const browser = browserFor(userId);
  const wire = recorder(browser.WebSocket as unknown as typeof WebSocket);
  const made = makeClient(TestClient, userId, { callTimeoutMs: 60_000, WebSocket: wire.WebSocketImpl }, browser);
  live.push(made.client);
  return { ...made, wire };
}

const calls = (frames: Array<Record<string, unknown>>) => frames.filter((f) => f.t === 'c');

describe('LumenizeClient on the compact wire', () => {
  it('names a target once, then by id; plain values travel as JSON and rich ones through structured-clone', async () => {
    const { client, wire } = wired('wren');
    await connected(client);
    expect(wire.received[0]).toMatchObject({ type: 'connection_status', wire: 2 });
    const target = `w-${tab()}`;
    const echo = client.ctn<EchoDO>();
    expect(await client.lmz.callRaw('ECHO', target, echo.echo({ list: [1, 'two'] }))).toEqual({ list: [1, 'two'] });
    expect(await client.lmz.callRaw('ECHO', target, echo.echo(new Date(3)))).toEqual(new Date(3));
    const [first, second] = calls(wire.sent);
    expect(first).toMatchObject({ t: 'c', d: [1, 'ECHO', target], o: [['echo', [{ list: [1, 'two'] }]]] });
    expect(second).toMatchObject({ t: 'c', d: 1, c: [1, [['echo', 0]], expect.any(Object)] });
    const answers = wire.received.filter((f) => f.t === 'r');
    expect(answers[0]).toMatchObject({ j: { list: [1, 'two'] } });
    expect(answers[0]).not.toHaveProperty('success');
    expect(answers[1]).toHaveProperty('r');
  });

  it('after a grace-expired reconnect (a new session) the next call defines its target again', async () => {
    const win = installWindowStub();
    const made = wired('wren');
    const { client, wire } = made;
    await connected(client);
    const target = `w-${tab()}`;
    const echo = client.ctn<EchoDO>();
    await client.lmz.callRaw('ECHO', target, echo.echo(1));
    await client.lmz.callRaw('ECHO', target, echo.echo(2));
    expect(calls(wire.sent).map((f) => f.d)).toEqual([[1, 'ECHO', target], 1]);
    wire.drop();
    await until(() => client.connectionState === 'reconnecting', 'reconnecting');
    const gateway = env.LUMENIZE_CLIENT_GATEWAY.getByName(made.instanceName);
    await until(async () => (await runInDurableObject(gateway, (_i, s) => s.storage.getAlarm())) !== null, 'grace alarm');
    expect(await runDurableObjectAlarm(gateway)).toBe(true);
    win.dispatchEvent(new Event('online'));
    await connected(client);
    expect(wire.received.filter((f) => f.type === 'connection_status').at(-1)).toMatchObject({ resumed: false, wire: 2 });
    expect(await client.lmz.callRaw('ECHO', target, echo.echo(3))).toBe(3);
    expect(calls(wire.sent).at(-1)!.d).toEqual([1, 'ECHO', target]);
  });
});
