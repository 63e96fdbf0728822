/**
 * Testing Agents (spec §3.8, §9 items 30–32): the `agents` package's own `AgentClient`, given a
 * testing `Browser`'s `WebSocket`, talks to real Agent DOs through the project's Worker
 * (`routeAgentRequest`), while `createTestingClient` reads and calls the same DOs over RPC.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AgentClient } from 'agents/client';
import { Browser, createTestingClient } from '../../src/index.ts';
import type { AuthAgent, ChatAgent, ChatState } from '../fixtures/agents-app.ts';
import { AGENTS_HOST } from '../worker.ts';
import { unique } from '../env.ts';

const open: AgentClient[] = [];
afterEach(() => {
  for (const c of open.splice(0)) c.close();
});

function agentClient<S>(options: ConstructorParameters<typeof AgentClient<S>>[0]): AgentClient<S> {
  const client = new AgentClient<S>(options);
  open.push(client as AgentClient);
  return client;
}

/** Frames the Agent sends that are not its own protocol (`cf_agent_*`). */
function appFrames(client: AgentClient): Array<Record<string, unknown>> {
  const frames: Array<Record<string, unknown>> = [];
  client.addEventListener('message', (e: MessageEvent) => {
    if (typeof e.data !== 'string') return;
    try {
      const f = JSON.parse(e.data) as Record<string, unknown>;
      if (typeof f.type === 'string' && !f.type.startsWith('cf_agent')) frames.push(f);
    } catch {
      // Not JSON: not an app frame.
    }
  });
  return frames;
}

describe('Agents with AgentClient (spec §3.8)', () => {
  it('item 30: Alice and Bob, each in their own Browser, join a chat Agent; both see both; Alice’s message reaches Bob; lastMessage is a Date; totalMessageCount is 1', async () => {
    const room = unique('chat');
    using client = createTestingClient<typeof ChatAgent>('chat-agent', room);
    expect(await client.lastMessage).toBeNull();

    const alice = new Browser();
    const bob = new Browser();
    // Separate users: a cookie set in Alice's jar is not in Bob's.
    await alice.fetch(`https://${AGENTS_HOST}/login`);
    expect(alice.getCookie('session')).toBeDefined();
    expect(bob.getCookie('session')).toBeUndefined();

    let aliceState: ChatState | undefined;
    let bobState: ChatState | undefined;
    const a = agentClient<ChatState>({ host: AGENTS_HOST, agent: 'chat-agent', name: room, WebSocket: alice.WebSocket, onStateUpdate: (s) => (aliceState = s) });
    const b = agentClient<ChatState>({ host: AGENTS_HOST, agent: 'chat-agent', name: room, WebSocket: bob.WebSocket, onStateUpdate: (s) => (bobState = s) });
    await vi.waitFor(() => expect([aliceState, bobState]).toEqual([{ participants: [], messages: [] }, { participants: [], messages: [] }]));

    a.send(JSON.stringify({ type: 'join', name: 'Alice' }));
    await vi.waitFor(() => expect(bobState?.participants).toEqual(['Alice']));
    b.send(JSON.stringify({ type: 'join', name: 'Bob' }));
    await vi.waitFor(() => expect([aliceState?.participants, bobState?.participants]).toEqual([['Alice', 'Bob'], ['Alice', 'Bob']]));

    a.send(JSON.stringify({ type: 'chat', from: 'Alice', text: 'hi Bob' }));
    await vi.waitFor(() => expect(bobState?.messages).toEqual([{ from: 'Alice', text: 'hi Bob' }]));
    expect(await client.lastMessage).toBeInstanceOf(Date);
    expect(await client.ctx.storage.kv.get('totalMessageCount')).toBe(1);
    expect(await client.ctx.getWebSockets()).toHaveLength(2);
  });

  it('item 31: /login sets an HttpOnly SameSite=Strict session cookie and returns a token; the KV session matches; a wrong auth.<token> closes 1008; the right one gets auth_success', async () => {
    const browser = new Browser();
    const response = await browser.fetch(`https://${AGENTS_HOST}/login`);
    const { token } = (await response.json()) as { token: string };
    const sessionId = browser.getCookie('session');
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(browser.getAllCookies().find((c) => c.name === 'session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });

    const name = unique('auth');
    using client = createTestingClient<typeof AuthAgent>('auth-agent', name);
    expect(await client.env.SESSION_STORE.get(sessionId!)).toBe(token);

    const closes: Array<{ code: number; reason: string }> = [];
    const errors: Array<{ code: number; reason: string }> = [];
    const wrong = agentClient({
      host: AGENTS_HOST,
      agent: 'auth-agent',
      name,
      WebSocket: browser.WebSocket,
      protocols: ['chat.v1', 'auth.not-the-token'],
      onConnectionError: (e) => void errors.push({ code: e.code, reason: e.reason }),
    });
    wrong.addEventListener('close', (e: CloseEvent) => void closes.push({ code: e.code, reason: e.reason }));
    // 1008 is terminal for AgentClient: it reports the server's close and does not reconnect.
    await vi.waitFor(() => expect(errors).toEqual([{ code: 1008, reason: 'Invalid authentication token' }]));
    expect(closes[0]).toEqual({ code: 1008, reason: 'Invalid authentication token' });

    const right = agentClient({ host: AGENTS_HOST, agent: 'auth-agent', name, WebSocket: browser.WebSocket, protocols: ['chat.v1', `auth.${token}`] });
    const frames = appFrames(right);
    await vi.waitFor(() => expect(frames).toEqual([{ type: 'auth_success', sessionId }]));
    // The rejected client stayed closed; only the accepted socket is on the DO.
    expect(errors).toHaveLength(1);
    expect(await client.ctx.getWebSockets()).toHaveLength(1);
  });

  it('item 32: an instrumented Agent keeps its own WebSocket traffic and state sync while createTestingClient calls the same DO', async () => {
    const room = unique('sync');
    const updates: Array<{ state: ChatState; source: string }> = [];
    const agent = agentClient<ChatState>({
      host: AGENTS_HOST,
      agent: 'chat-agent',
      name: room,
      WebSocket: new Browser().WebSocket,
      onStateUpdate: (state, source) => void updates.push({ state, source }),
    });
    await vi.waitFor(() => expect(updates).toEqual([{ state: { participants: [], messages: [] }, source: 'server' }]));

    // The Agent's own protocol from the client: a state push, stored by the Agent.
    agent.setState({ participants: ['Carol'], messages: [] });
    using client = createTestingClient<typeof ChatAgent>('chat-agent', room);
    await vi.waitFor(async () => expect(await client.state).toEqual({ participants: ['Carol'], messages: [] }));

    // An RPC call on the same DO changes state; the connected AgentClient receives the update.
    await client.rename('launch');
    await vi.waitFor(() => expect(updates.at(-1)).toEqual({ state: { participants: ['Carol'], messages: [{ from: 'system', text: 'topic: launch' }] }, source: 'server' }));
    expect(await client.ctx.storage.kv.get('topic')).toBe('launch');
    expect(await client.state).toEqual(updates.at(-1)!.state);
    // RPC over a WebSocket to the same Agent: its frames are RPC's, the Agent's client is unaffected.
    using ws = createTestingClient<typeof ChatAgent>('chat-agent', room, { transport: 'websocket' });
    expect(await ws.ctx.storage.kv.get('topic')).toBe('launch');
    agent.send(JSON.stringify({ type: 'join', name: 'Dave' }));
    await vi.waitFor(() => expect(updates.at(-1)?.state.participants).toEqual(['Carol', 'Dave']));
  });
});
