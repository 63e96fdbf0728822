/**
 * Fan-out benchmark Worker. `GET /run?mode=flat|tiered&n=N&run=R` starts one fan-out from the
 * sender DO to recipients r0…r(N−1) and answers at once; `GET /result?run=R` answers the summary
 * once the handler has it; `GET /collect?run=R&from=A&to=B` answers each recipient's delivery
 * latency (its clock at receipt minus the sender's clock at send; both clocks move with I/O).
 */
import { LumenizeDO, mesh, type FanoutSummary } from '@lumenize/mesh';

export { LumenizeFanoutWorker } from '@lumenize/mesh';

interface Env {
  SENDER: DurableObjectNamespace<FanoutBenchSender>;
  RECIPIENT: DurableObjectNamespace<FanoutBenchRecipient>;
}

export class FanoutBenchRecipient extends LumenizeDO<Env> {
  @mesh hit(run: string, sentAt: number): void {
    this.ctx.storage.kv.put(`latency:${run}`, Date.now() - sentAt);
  }
  latency(run: string): number | null {
    return this.ctx.storage.kv.get<number>(`latency:${run}`) ?? null;
  }
}

export class FanoutBenchSender extends LumenizeDO<Env> {
  /** flat: every delivery from this DO (maxDirect above n, one tier); tiered: the default tiers. */
  run(mode: 'flat' | 'tiered', n: number, run: string): void {
    this.lmz.init({ bindingName: 'SENDER', instanceNameOrId: 'sender' });
    const recipients = Array.from({ length: n }, (_, i) => ({ bindingName: 'RECIPIENT', instanceName: `r${i}` }));
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
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const q = (k: string) => url.searchParams.get(k) ?? '';
    const sender = env.SENDER.getByName('sender');
    if (url.pathname === '/run') {
      await sender.run(q('mode') === 'flat' ? 'flat' : 'tiered', Number(q('n')), q('run'));
      return Response.json({ ok: true });
    }
    if (url.pathname === '/result') return Response.json(await sender.result(q('run')));
    if (url.pathname === '/collect') {
      const from = Number(q('from'));
      const to = Number(q('to'));
      const out = await Promise.all(Array.from({ length: to - from }, (_, i) => env.RECIPIENT.getByName(`r${from + i}`).latency(q('run'))));
      return Response.json(out);
    }
    return new Response('fanout bench', { status: 404 });
  },
};
