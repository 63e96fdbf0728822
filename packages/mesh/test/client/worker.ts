/**
 * Test Worker for the mesh clients project: gateways (default, short timeout, rate limited), the
 * router with simulated auth middleware, a refresh endpoint, and the DOs/Worker the tests call.
 */
import { DurableObject } from 'cloudflare:workers';
import { LumenizeDO, LumenizeWorker, mesh } from '../../src/index.ts';
import { LumenizeClientGateway } from '../../src/gateway/index.ts';
import { createLumenizeRouter } from '../../src/router/index.ts';
import { ClientDisconnectedError } from '../../src/errors.ts';
import { simOnBeforeConnect, simOnBeforeRequest, simRefreshEndpoint } from './sim-auth.ts';

export { CappedNewsDO, RawReplyDO } from './hostile-nodes.ts';
export { BigDO, CountingGateway, HoldDO, StaleGateway, TinyOutboxGateway } from './outbox-nodes.ts';

/** Default gateway class (bound as LUMENIZE_CLIENT_GATEWAY and MY_GATEWAY); long grace so tests expire it explicitly. */
export class TestGateway extends LumenizeClientGateway<Cloudflare.Env> {
  static override gracePeriodMs = 60_000;
  /**
   * Mesh → client calls that reached this instance (read with runInDurableObject). A test waits on
   * it instead of sleeping: once a read sees the count, the call is parked, because the gateway's
   * only await before parking is a storage read, which keeps the input gate closed.
   */
  incomingCalls = 0;

  override __executeOperation(...args: Parameters<LumenizeClientGateway['__executeOperation']>): ReturnType<LumenizeClientGateway['__executeOperation']> {
    this.incomingCalls++;
    return super.__executeOperation(...args);
  }
}

/** Gateway whose clients must answer incoming calls within 300 ms. */
export class ShortTimeoutGateway extends LumenizeClientGateway<Cloudflare.Env> {
  static override gracePeriodMs = 60_000;
  static override clientCallTimeoutMs = 300;
  static override maxUnackedBytes = 1_500;
}

/** Gateway limited by TEST_GATEWAY_LIMITER (3 calls per user per minute). */
export class RateLimitedGateway extends LumenizeClientGateway<Cloudflare.Env> {
  static override rateLimiterBinding = 'TEST_GATEWAY_LIMITER';
}

/** What a DO saw about the call that reached it. */
export interface SeenContext {
  callChain: unknown[];
  origin: unknown;
  caller: unknown;
  originAuth: unknown;
  state: Record<string, unknown>;
}

/** Outcome of a DO → client call, checked inside the DO (instanceof does not survive RPC throws). */
export interface ClientCallOutcome {
  ok: boolean;
  value?: unknown;
  message?: string;
  name?: string;
  isClientDisconnected?: boolean;
  clientInstanceName?: string;
}

/** Echo and context reporter; calls clients on request. */
export class EchoDO extends LumenizeDO<Cloudflare.Env> {
  @mesh
  echo(value: unknown): unknown {
    return value;
  }

  @mesh
  whoAmI(): SeenContext {
    const c = this.lmz.callContext;
    return { callChain: [...c.callChain], origin: c.origin, caller: c.caller, originAuth: c.originAuth, state: c.state };
  }

  @mesh
  fail(message: string): never {
    throw new Error(message);
  }

  notMesh(): string {
    return 'should never run';
  }

  /** Calls `method(...args)` on a client and reports the outcome (Workers RPC from tests). */
  async callClient(gatewayBinding: string, instanceName: string, method: string, args: unknown[]): Promise<ClientCallOutcome> {
    this.lmz.bindingName ??= 'ECHO';
    try {
      const remote = (this.ctn<Record<string, (...a: unknown[]) => unknown>>()[method] as unknown as (...a: unknown[]) => never)(...args);
      const value = await this.lmz.callRaw(gatewayBinding, instanceName, remote);
      return { ok: true, value };
    } catch (e) {
      const error = e as Error;
      return {
        ok: false,
        message: error.message,
        name: error.name,
        isClientDisconnected: error instanceof ClientDisconnectedError,
        clientInstanceName: (error as ClientDisconnectedError).clientInstanceName,
      };
    }
  }

  /** Calls a client with a result handler: the answer, whatever its shape, must reach `recordAnswer` as data. */
  askClient(gatewayBinding: string, instanceName: string, method: string): void {
    this.lmz.bindingName ??= 'ECHO';
    this.ctx.storage.kv.put('canary', 'alive');
    const remote = (this.ctn<Record<string, () => unknown>>()[method] as unknown as () => never)();
    this.lmz.call(gatewayBinding, instanceName, remote, this.ctn().recordAnswer(this.ctn().$result));
  }

  /** Handler (local): stores the answer as it arrived. */
  recordAnswer(value: unknown): void {
    this.ctx.storage.kv.put('answer', value);
  }

  /** Local privileged work a forged marker in the answer would reach. */
  wipe(): void {
    this.ctx.storage.kv.delete('canary');
  }

  answerState(): { answer: unknown; canary: unknown } {
    return { answer: this.ctx.storage.kv.get('answer'), canary: this.ctx.storage.kv.get('canary') };
  }

  /** @mesh variant so a client can ask the DO to call it back (chain continues from the client). */
  @mesh
  callMeBack(method: string, args: unknown[]): Promise<ClientCallOutcome> {
    const caller = this.lmz.callContext.caller;
    return this.callClient(caller.bindingName, caller.instanceName!, method, args);
  }
}

/** The getting-started scenario (spec §12 item 81): documents with a hand-managed subscriber set. */
export class DocumentDO extends LumenizeDO<Cloudflare.Env> {
  override onStart(): void {
    this.svc.sql`CREATE TABLE IF NOT EXISTS doc_subscribers (binding TEXT NOT NULL, instance TEXT NOT NULL, PRIMARY KEY (binding, instance))`;
  }

  @mesh
  open(): string {
    const caller = this.lmz.callContext.caller;
    this.svc.sql`INSERT OR IGNORE INTO doc_subscribers (binding, instance) VALUES (${caller.bindingName}, ${caller.instanceName!})`;
    return this.ctx.storage.kv.get<string>('text') ?? '';
  }

  @mesh
  save(text: string): void {
    this.ctx.storage.kv.put('text', text);
    const docId = this.lmz.instanceName!;
    for (const row of this.svc.sql`SELECT binding, instance FROM doc_subscribers`) {
      // A new chain: each recipient sees the document as origin, so other clients accept it.
      this.lmz.call(String(row.binding), String(row.instance), this.ctn<EditorLike>().documentChanged(docId, text), undefined, { newChain: true });
    }
    // The spell check continues the caller's chain, so findings go straight back to the editor.
    this.lmz.call('SPELLCHECK', undefined, this.ctn<SpellCheckWorker>().check(text));
  }
}

interface EditorLike {
  documentChanged(docId: string, text: string): void;
  spellingFindings(findings: string[]): void;
}

/** Finds "typos" (words in a tiny list) and sends them straight to the client that started the chain. */
export class SpellCheckWorker extends LumenizeWorker<Cloudflare.Env> {
  @mesh
  check(text: string): void {
    const findings = text.split(/\s+/).filter((w) => ['teh', 'recieve'].includes(w));
    if (findings.length === 0) return;
    const origin = this.lmz.callContext.origin;
    this.lmz.call(origin.bindingName, origin.instanceName, this.ctn<EditorLike>().spellingFindings(findings));
  }

  /** The errors Workers raise for pub/sub (they have nowhere to keep subscriptions). */
  pubsubErrors(): string[] {
    const errors: string[] = [];
    for (const attempt of [() => this.lmz.subscribe('NEWS', 'n', 'news', this.ctn<EditorLike>().spellingFindings([])), () => this.lmz.publish('news', 1)]) {
      try {
        attempt();
      } catch (e) {
        errors.push((e as Error).message);
      }
    }
    return errors;
  }
}

/** The resume stream partner: records client → DO calls and streams DO → client calls. */
export class StreamDO extends LumenizeDO<Cloudflare.Env> {
  override onStart(): void {
    this.svc.sql`CREATE TABLE IF NOT EXISTS received (n INTEGER NOT NULL)`;
  }

  @mesh
  record(n: number): number {
    this.svc.sql`INSERT INTO received (n) VALUES (${n})`;
    return n;
  }

  @mesh
  received(): number[] {
    return this.svc.sql`SELECT n FROM received ORDER BY rowid`.map((r) => Number(r.n));
  }

  /** Streams `receive(n)` calls back to the calling client. */
  @mesh
  streamToCaller(from: number, count: number): Promise<Array<{ n: number; ok: boolean; error?: string }>> {
    const caller = this.lmz.callContext.caller;
    return this.streamTo(caller.bindingName, caller.instanceName!, from, count);
  }

  /** Sends `count` calls `receive(i)` to the client in one turn (they share one hop: `__executeBatch`). */
  async burstTo(gatewayBinding: string, instanceName: string, count: number): Promise<unknown[]> {
    this.lmz.bindingName ??= 'STREAM';
    const calls = Array.from({ length: count }, (_, n) => this.lmz.callRaw(gatewayBinding, instanceName, this.ctn<{ receive(n: number): number }>().receive(n)));
    return Promise.all(calls);
  }

  /** Sends `count` sequential calls `receive(i)` to the client; returns the outcomes. */
  async streamTo(gatewayBinding: string, instanceName: string, from: number, count: number): Promise<Array<{ n: number; ok: boolean; error?: string }>> {
    this.lmz.bindingName ??= 'STREAM';
    const out: Array<{ n: number; ok: boolean; error?: string }> = [];
    for (let n = from; n < from + count; n++) {
      try {
        await this.lmz.callRaw(gatewayBinding, instanceName, this.ctn<{ receive(n: number): number }>().receive(n));
        out.push({ n, ok: true });
      } catch (e) {
        out.push({ n, ok: false, error: (e as Error).message });
      }
    }
    return out;
  }
}

/** A publisher that admits topics starting with `news` and publishes on request. */
export class NewsDO extends LumenizeDO<Cloudflare.Env> {
  override onBeforeSubscribe(topic: string): void {
    if (!topic.startsWith('news')) throw new Error(`Topic '${topic}' is not available`);
  }

  @mesh
  post(topic: string, value: unknown): void {
    this.lmz.publish(topic, value);
  }

  subscriberCount(topic: string): number {
    try {
      return this.svc.sql`SELECT COUNT(*) AS n FROM __lmz_subscribers WHERE topic = ${topic}`.map((r) => Number(r.n))[0];
    } catch {
      return 0;
    }
  }
}

/** A DO subscriber: keeps what it hears in SQL. */
export class ReaderDO extends LumenizeDO<Cloudflare.Env> {
  override onStart(): void {
    this.svc.sql`CREATE TABLE IF NOT EXISTS heard (value TEXT NOT NULL)`;
  }

  follow(binding: string, instance: string, topic: string): string {
    this.lmz.bindingName ??= 'READER';
    return this.lmz.subscribe(binding, instance, topic, this.ctn().onNews(this.ctn().$result)).id;
  }

  /** Subscribes and answers once the publisher has settled it: 'admitted', or the refusal's message. */
  async followAndWait(binding: string, instance: string, topic: string): Promise<string> {
    this.lmz.bindingName ??= 'READER';
    const sub = this.lmz.subscribe(binding, instance, topic, this.ctn().onNews(this.ctn().$result));
    return sub.ready.then(
      () => `admitted (${sub.status})`,
      (e: Error) => `refused (${sub.status}): ${e.message}`,
    );
  }

  onNews(value: unknown): void {
    this.svc.sql`INSERT INTO heard (value) VALUES (${value instanceof Error ? `error: ${value.message}` : JSON.stringify(value)})`;
  }

  heard(): string[] {
    return this.svc.sql`SELECT value FROM heard ORDER BY rowid`.map((r) => String(r.value));
  }
}

/**
 * Accepts a client socket and closes it at once with the code named by the instance's tab id
 * (`user.c4400` → 4400): the close codes a real gateway only sends defensively.
 */
export class CloserDO extends DurableObject {
  override async fetch(request: Request): Promise<Response> {
    const instance = request.headers.get('X-Lumenize-DO-Instance-Name-Or-Id') ?? '';
    const code = Number(/\.c(\d{4})/.exec(instance)?.[1] ?? 4400);
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    pair[1].close(code, `closing with ${code}`);
    return new Response(null, { status: 101, webSocket: pair[0], headers: { 'Sec-WebSocket-Protocol': 'lmz' } });
  }
}

const simAuthRoutes = (env: Cloudflare.Env) =>
  createLumenizeRouter(env, {
    onBeforeConnect: simOnBeforeConnect,
    onBeforeRequest: simOnBeforeRequest,
    // The router is closed by default: name the extra gateways and DOs the tests connect to.
    bindings: ['MY_GATEWAY', 'SHORT_GATEWAY', 'LIMITED_GATEWAY', 'CLOSER', 'COUNTING_GATEWAY', 'STALE_GATEWAY', 'TINY_GATEWAY'],
  });

export default {
  async fetch(request: Request, env: Cloudflare.Env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === '/auth/refresh-token') return simRefreshEndpoint(request);
    return (await simAuthRoutes(env)(request)) ?? new Response('Not found', { status: 404 });
  },
} satisfies ExportedHandler<Cloudflare.Env>;
