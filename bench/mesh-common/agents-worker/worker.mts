/**
 * The Agents SDK peer: an Agent with `@callable()` methods with the same bodies as MeshCounter and
 * CapnApi (bench/mesh-common/worker/), routed by the SDK's own `routeAgentRequest`.
 */
import { Agent, callable, routeAgentRequest } from 'agents';
import type { CounterApi } from '../api.ts';

interface Env {
  AgentCounter: DurableObjectNamespace<AgentCounter>;
}

export class AgentCounter extends Agent<Env> implements CounterApi {
  @callable()
  increment(): number {
    const next = (this.ctx.storage.kv.get<number>('count') ?? 0) + 1;
    this.ctx.storage.kv.put('count', next);
    return next;
  }

  @callable()
  echo(value: unknown): unknown {
    return value;
  }

  @callable()
  add(a: number, b: number): number {
    return a + b;
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    return (await routeAgentRequest(request, env)) ?? new Response('Not found', { status: 404 });
  },
} satisfies ExportedHandler<Env>;
