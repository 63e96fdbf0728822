/**
 * The two clients under test, connected to the benchmark Worker: ours (`LumenizeClient` through
 * the gateway) and Cap'n Web (`newWebSocketRpcSession` to a DO). Each exposes the same three
 * operations plus the pipelined forms the wire suite uses.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { newWebSocketRpcSession, type RpcStub } from 'capnweb';
import { LumenizeClient } from '@lumenize/mesh/client';
import { BINDINGS, type CounterApi } from './api.ts';
import { meshCommonDir } from './server.ts';

/** A Node mesh client with nothing of its own: the benchmark only makes outbound calls. */
class BenchClient extends LumenizeClient {}

/** What the suites call on either peer. */
export interface PeerClient {
  readonly name: string;
  increment(): Promise<unknown>;
  echo(value: unknown): Promise<unknown>;
  /** `add(add(increment(), 1), 2)`: three dependent calls in one round trip (nesting / pipelining). */
  nested3(): Promise<unknown>;
  close(): Promise<void>;
}

async function until(predicate: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Ours: a LumenizeClient `bench.<tab>` through the gateway to `MESH_COUNTER(<instance>)`.
 * The token is a placeholder: the Worker's stand-in auth hook takes the user from the instance name.
 */
export async function connectOurs(baseUrl: string, tab: string, instance: string, WebSocketImpl: typeof WebSocket = WebSocket): Promise<PeerClient> {
  const errors: Error[] = [];
  const client = new BenchClient({
    instanceName: `bench.${tab}`,
    baseUrl,
    accessToken: 'bench-token',
    refresh: async () => 'bench-token',
    WebSocket: WebSocketImpl,
    onConnectionError: (e) => errors.push(e),
  });
  await until(() => client.connectionState === 'connected', `LumenizeClient to connect (${errors.map((e) => e.message).join('; ') || 'no error'})`);
  const api = () => client.ctn<CounterApi>();
  const call = (remote: Parameters<typeof client.lmz.callRaw>[2]) => client.lmz.callRaw(BINDINGS.meshCounter, instance, remote);
  return {
    name: 'ours',
    increment: () => call(api().increment()),
    echo: (value) => call(api().echo(value)),
    nested3: () => call(api().add(api().add(api().increment(), 1), 2)),
    async close() {
      client.disconnect();
    },
  };
}

/** Cap'n Web: a WebSocket session to `CAPN_COUNTER(<instance>)`, served in the DO by `newWorkersRpcResponse`. */
export async function connectCapnWeb(wsUrl: string, instance: string, WebSocketImpl: typeof WebSocket = WebSocket): Promise<PeerClient> {
  const ws = new WebSocketImpl(`${wsUrl}/capn/${encodeURIComponent(instance)}`);
  const api: RpcStub<CounterApi> = newWebSocketRpcSession<CounterApi>(ws);
  await until(() => ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CLOSED, 'Cap\'n Web socket to open');
  if (ws.readyState !== WebSocket.OPEN) throw new Error('Cap\'n Web socket did not open');
  return {
    name: "Cap'n Web",
    increment: () => api.increment(),
    echo: (value) => api.echo(value),
    async nested3() {
      // Pipelined: the intermediate promises are never awaited; dispose them so the server can
      // drop their results (what `using` does in application code).
      const a = api.increment();
      const b = api.add(a, 1);
      try {
        return await api.add(b, 2);
      } finally {
        b[Symbol.dispose]();
        a[Symbol.dispose]();
      }
    },
    async close() {
      api[Symbol.dispose]();
    },
  };
}

/** The part of the Agents SDK's `AgentClient` (agents/client) the benchmark uses. */
interface AgentClientLike {
  readonly ready: Promise<void>;
  call(method: string, args?: unknown[]): Promise<unknown>;
  close(): void;
}

/**
 * Why the Agents SDK peer cannot run, or undefined when it can: `agents` is installed only in
 * bench/mesh-common/agents-worker/ (its own lockfile, outside the root workspace).
 */
export function agentsUnavailable(): string | undefined {
  const dir = meshCommonDir('agents-worker');
  if (existsSync(join(dir, 'node_modules', 'agents', 'package.json'))) return undefined;
  return `the agents package is not installed; run: npm ci --prefix ${join('bench', 'mesh-common', 'agents-worker')}`;
}

/**
 * Agents SDK 0.32: the SDK's own `AgentClient` (agents/client, default "cf-websocket" transport)
 * calling `@callable()` methods of `AgentCounter(<instance>)`, routed by `routeAgentRequest`.
 * The SDK has no pipelining: `nested3` makes three awaited calls.
 */
export async function connectAgents(host: string, instance: string, WebSocketImpl: typeof WebSocket = WebSocket): Promise<PeerClient> {
  // Loaded from the peer's own node_modules at run time (a variable specifier, so it is not bundled).
  const entry = createRequire(join(meshCommonDir('agents-worker'), 'package.json')).resolve('agents/client');
  const { AgentClient } = (await import(pathToFileURL(entry).href)) as { AgentClient: new (options: object) => AgentClientLike };
  const client = new AgentClient({ agent: 'agent-counter', name: instance, host, protocol: 'ws', WebSocket: WebSocketImpl });
  await client.ready;
  return {
    name: 'Agents SDK',
    increment: () => client.call('increment', []),
    echo: (value) => client.call('echo', [value]),
    async nested3() {
      const a = await client.call('increment', []);
      const b = await client.call('add', [a, 1]);
      return client.call('add', [b, 2]);
    },
    async close() {
      client.close();
    },
  };
}
