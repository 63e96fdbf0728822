/**
 * Fan-out benchmark Worker. `GET /run?mode=flat|tiered&n=N&run=R` starts one fan-out from the
 * sender DO to recipients r0…r(N−1) and answers at once; `GET /result?run=R` answers the summary
 * once the handler has it; `GET /collect?run=R&from=A&to=B` answers the delivery latencies recorded
 * by recipient DOs A…B−1 (its clock at receipt minus the sender's clock at send; both clocks move with I/O).
 */
import { LumenizeDO, mesh, type FanoutSummary } from '@lumenize/mesh';

export { LumenizeFanoutWorker } from '@lumenize/mesh';

interface Env {
  SENDER: DurableObjectNamespace<FanoutBenchSender>;
  RECIPIENT: DurableObjectNamespace<FanoutBenchRecipient>;
}

/**
 * Most distinct recipient DOs: local workerd keeps each live DO's SQLite files open (3 descriptors)
 * for ~10 s and this machine allows 20,000, so N = 10,000 is 10,000 entries on 2,500 DOs (4 each).
 */
const MAX_DOS = 2_500;

export class FanoutBenchRecipient extends LumenizeDO<Env> {
  /** One delivery: appends its latency (a DO holds several recipient entries when N > MAX_DOS). */
  @mesh hit(run: string, sentAt: number): void {
    const kv = this.ctx.storage.kv;
    kv.put(`latency:${run}`, [...(kv.get<number[]>(`latency:${run}`) ?? []), Date.now() - sentAt]);
  }
  latency(run: string): number[] {
    return this.ctx.storage.kv.get<number[]>(`latency:${run}`) ?? [];
  }
}

export class FanoutBenchSender extends LumenizeDO<Env> {
  /** flat: every delivery from this DO (maxDirect above n, one tier); tiered: the default tiers. */
  run(mode: 'flat' | 'tiered', n: number, run: string): void {
    this.lmz.init({ bindingName: 'SENDER', instanceNameOrId: 'sender' });
    const recipients = Array.from({ length: n }, (_, i) => ({ bindingName: 'RECIPIENT', instanceName: `r${i % MAX_DOS}` }));
    const options = mode === 'flat' ? { maxDirect: 1_000_000 } : {};
    this.svc.fanout.send(recipients, this.ctn<FanoutBenchRecipient>().hit(run, Date.now()), this.ctn().done(run, Date.now(), this.ctn().$result), options);
  }
  done(run: string, sentAt: number, summary: FanoutSummary): void {
    this.ctx.storage.kv.put(`done:${run}`, { delivered: summary.delivered, failed: summary.failed.length, firstError: summary.failed[0]?.error.message, elapsed: Date.now() - sentAt });
  }
  result(run: string) {
    return this.ctx.storage.kv.get<{ delivered: number; failed: number; firstError?: string; elapsed: number }>(`done:${run}`) ?? null;
  }
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const url = new URL(request.url);
    const q = (k: string) => url.searchParams.get(k) ?? '';
    const sender = env.SENDER.getByName('sender');
    if (url.pathname === '/run') {
      // Answers at once: with 10,000 recipients the flat loop's `run` RPC did not answer within
      // undici's 300 s header timeout (2026-12-03), so the harness polls /result instead.
      ctx.waitUntil(sender.run(q('mode') === 'flat' ? 'flat' : 'tiered', Number(q('n')), q('run')).catch((e: unknown) => console.error('run failed', e)));
      return Response.json({ ok: true });
    }
    if (url.pathname === '/result') return Response.json(await sender.result(q('run')));
    if (url.pathname === '/collect') {
      const from = Number(q('from'));
      const to = Number(q('to'));
      const out = await Promise.all(Array.from({ length: Math.max(0, Math.min(to, MAX_DOS) - from) }, (_, i) => env.RECIPIENT.getByName(`r${from + i}`).latency(q('run'))));
      return Response.json(out.flat());
    }
    return new Response('fanout bench', { status: 404 });
  },
};
