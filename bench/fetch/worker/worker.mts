/**
 * Benchmark Worker of bench/fetch. A Node client opens a WebSocket to `BenchOrigin` and asks it to
 * `proxy()` or `direct()` a request to `Upstream` (an entrypoint of this Worker that answers after
 * `?ms=`); the handler pushes "done" back over the socket, so latency is timed by the Node clock.
 * Inside, the DO measures what it can see with the Workers clock (which only moves across I/O):
 * its busy time per request and the storage rows it writes.
 */
import { WorkerEntrypoint } from 'cloudflare:workers';
import { debug, type DebugLogOutput } from '@lumenize/debug';
import { LumenizeDO } from '@lumenize/mesh';
import '@lumenize/fetch';
import type { ResponseSync } from '@lumenize/structured-clone';

export { FetchExecutorEntrypoint } from '@lumenize/fetch';

/** Timestamps of the fetch package's own logs (same isolate): hand-off and delivery windows. */
const marks = new Map<string, { dispatched?: number; acked?: number; fetched?: number; delivered?: number }>();
const WANTED: Record<string, 'dispatched' | 'acked' | 'fetched' | 'delivered'> = {
  dispatched: 'dispatched',
  'hand-off acknowledged by the executor': 'acked',
  fetched: 'fetched',
  delivered: 'delivered',
};
debug.setOutput((r: DebugLogOutput) => {
  const which = WANTED[r.message];
  const reqId = (r.data as { reqId?: string } | undefined)?.reqId;
  if (!which || !reqId) return;
  const m = marks.get(reqId) ?? {};
  m[which] = Date.parse(r.timestamp);
  marks.set(reqId, m);
});
debug.configure({ DEBUG: 'lmz.fetch.Fetch.proxy,lmz.fetch.FetchExecutorEntrypoint' });

interface Env {
  ORIGIN: DurableObjectNamespace<BenchOrigin>;
  UPSTREAM: Fetcher;
  FETCH_EXECUTOR: Fetcher;
}

/** The upstream: answers `{ id }` after `?ms=` milliseconds (0 = at once). */
export class Upstream extends WorkerEntrypoint<Env> {
  override async fetch(request: Request): Promise<Response> {
    const ms = Number(new URL(request.url).searchParams.get('ms') ?? '0');
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
    return Response.json({ id: crypto.randomUUID() });
  }
}

type Mode = 'proxy' | 'direct';
interface Start {
  op: 'one' | 'burst' | 'stat' | 'totals';
  mode: Mode;
  ms: number;
  tag: string;
  n?: number;
}
interface Ctx {
  tag: string;
  t0: number;
  index: number;
  n: number;
}

/** Counts storage rows written (KV puts/deletes + SQL rowsWritten) by wrapping this DO's storage. */
function countWrites(storage: DurableObjectStorage): { rows: number; kv: number; paused: boolean } {
  const counter = { rows: 0, kv: 0, paused: false };
  const kv = storage.kv;
  const put = kv.put.bind(kv);
  const del = kv.delete.bind(kv);
  kv.put = ((key: string, value: unknown) => {
    if (!counter.paused) (counter.rows++, counter.kv++);
    return put(key, value);
  }) as typeof kv.put;
  kv.delete = ((key: string) => {
    if (!counter.paused) (counter.rows++, counter.kv++);
    return del(key);
  }) as typeof kv.delete;
  const sql = storage.sql;
  const exec = sql.exec.bind(sql);
  sql.exec = ((query: string, ...bindings: unknown[]) => {
    const cursor = exec(query, ...bindings);
    cursor.toArray = ((toArray) => () => {
      const rows = toArray();
      if (!counter.paused) counter.rows += cursor.rowsWritten;
      return rows;
    })(cursor.toArray.bind(cursor));
    // Statements nobody reads (INSERT/DELETE) run eagerly; their count is final now.
    if (!counter.paused && !/^\s*select/i.test(query)) counter.rows += cursor.rowsWritten;
    return cursor;
  }) as typeof sql.exec;
  return counter;
}

export class BenchOrigin extends LumenizeDO<Env> {
  #writes = countWrites(this.ctx.storage);
  /** Row counter at each tag's start (in memory: the bench never evicts the origin). */
  #rowsAtStart = new Map<string, { rows: number; kv: number }>();

  override onStart(): void {
    this.lmz.init({ bindingName: 'ORIGIN' });
  }

  override async fetch(request: Request): Promise<Response> {
    await super.fetch(request);
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  override webSocketMessage(_ws: WebSocket, message: string | ArrayBuffer): void {
    const start = JSON.parse(String(message)) as Start;
    if (start.op === 'totals') {
      // Every row the package wrote since this instance started (amortizes the shared watchdog).
      this.#send({ tag: start.tag, stat: true, rowsWritten: this.#writes.rows, kvWritten: this.#writes.kv, watchdog: this.svc.alarms.getSchedule('__lmz_fetch_watchdog')?.time ?? null });
      return;
    }
    if (start.op === 'stat') {
      const kv = this.ctx.storage.kv;
      const m = marks.get(`${start.tag}:0`) ?? {};
      if (m.acked !== undefined && m.delivered !== undefined) marks.delete(`${start.tag}:0`);
      this.#send({
        tag: start.tag,
        stat: true,
        count: kv.get<number>(`count:${start.tag}`) ?? 0,
        duplicates: kv.get<number>(`dup:${start.tag}`) ?? 0,
        handoffMs: m.dispatched !== undefined && m.acked !== undefined ? m.acked - m.dispatched : null,
        deliveryMs: m.fetched !== undefined && m.delivered !== undefined ? m.delivered - m.fetched : null,
      });
      return;
    }
    const n = start.op === 'burst' ? (start.n ?? 1) : 1;
    const url = `https://upstream.bench/?ms=${start.ms}`;
    this.#rowsAtStart.set(start.tag, { rows: this.#writes.rows, kv: this.#writes.kv });
    const t0 = Date.now();
    for (let index = 0; index < n; index++) {
      const ctx: Ctx = { tag: start.tag, t0, index, n };
      const handler = this.ctn().onDone(ctx, this.ctn().$result);
      if (start.mode === 'proxy') this.svc.fetch.proxy(url, handler, { outboundBinding: 'UPSTREAM' }, `${start.tag}:${index}`);
      else this.svc.fetch.direct(url, handler, { outboundBinding: 'UPSTREAM' }, `${start.tag}:${index}`);
    }
  }

  onDone(ctx: Ctx, result: ResponseSync | Error): void {
    const kv = this.ctx.storage.kv;
    // The bench's own bookkeeping rows are not the package's: not counted.
    this.#writes.paused = true;
    try {
      this.#record(ctx, result);
    } finally {
      this.#writes.paused = false;
    }
    const count = kv.get<number>(`count:${ctx.tag}`) ?? 0;
    if (count < ctx.n) return;
    // Settling continues after the handler returns (nothing more is written for a plain proxy).
    queueMicrotask(() =>
      this.#send({
        tag: ctx.tag,
        count,
        duplicates: kv.get<number>(`dup:${ctx.tag}`) ?? 0,
        errors: kv.get<number>(`err:${ctx.tag}`) ?? 0,
        // Workers clock from the call to this handler: for direct that is the DO's pending fetch.
        handlerAfterMs: Date.now() - ctx.t0,
        rowsWritten: this.#writes.rows - (this.#rowsAtStart.get(ctx.tag)?.rows ?? 0),
        kvWritten: this.#writes.kv - (this.#rowsAtStart.get(ctx.tag)?.kv ?? 0),
        // The one shared watchdog schedule outlives settled requests by design (it ends when it fires).
        leftover: [...kv.list({ prefix: '__lmz_fetch_pending:' })].length + this.svc.alarms.getSchedules().filter((x) => x.id !== '__lmz_fetch_watchdog').length,
      }),
    );
  }

  #record(ctx: Ctx, result: ResponseSync | Error): void {
    const kv = this.ctx.storage.kv;
    const key = `seen:${ctx.tag}:${ctx.index}`;
    const duplicate = kv.get(key) !== undefined;
    kv.put(key, 1);
    const count = (kv.get<number>(`count:${ctx.tag}`) ?? 0) + 1;
    kv.put(`count:${ctx.tag}`, count);
    if (duplicate) kv.put(`dup:${ctx.tag}`, (kv.get<number>(`dup:${ctx.tag}`) ?? 0) + 1);
    if (result instanceof Error) kv.put(`err:${ctx.tag}`, (kv.get<number>(`err:${ctx.tag}`) ?? 0) + 1);
  }

  #send(data: unknown): void {
    for (const ws of this.ctx.getWebSockets()) ws.send(JSON.stringify(data));
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname.startsWith('/ws/') && request.headers.get('Upgrade') === 'websocket') {
      return env.ORIGIN.getByName(decodeURIComponent(url.pathname.slice(4))).fetch(request);
    }
    return new Response('lumenize fetch bench', { status: 200 });
  },
} satisfies ExportedHandler<Env>;
