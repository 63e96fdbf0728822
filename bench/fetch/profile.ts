/**
 * Optional CPU profile of the Worker isolate during a run (`FETCH_BENCH_PROFILE=1`): connects to
 * `wrangler dev`'s inspector, records with the V8 profiler and prints the functions with the most
 * self time. Used to find where the per-request cost of the 2,000-call burst goes.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number; scriptId: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface Profiler {
  stop(top?: number): Promise<string>;
}

/** Starts profiling the isolate behind `inspectorPort`; `stop()` returns a self-time table. */
export async function startProfile(inspectorPort: number): Promise<Profiler> {
  const list = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as Array<{ webSocketDebuggerUrl?: string; title?: string }>;
  const target = list.find((t) => t.webSocketDebuggerUrl);
  if (!target?.webSocketDebuggerUrl) throw new Error(`no inspector target on port ${inspectorPort}`);
  // wrangler's inspector proxy accepts the DevTools origin (undici's WebSocket takes headers).
  const ws = new WebSocket(target.webSocketDebuggerUrl, { headers: { Origin: 'https://devtools.devprod.cloudflare.dev' } } as unknown as string[]);
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve());
    ws.addEventListener('error', () => reject(new Error('inspector socket failed')));
  });
  let seq = 0;
  const waiting = new Map<number, (r: unknown) => void>();
  ws.addEventListener('message', (e) => {
    const m = JSON.parse(String(e.data)) as { id?: number; result?: unknown };
    if (m.id !== undefined) waiting.get(m.id)?.(m.result);
  });
  const send = (method: string, params: object = {}) =>
    new Promise<unknown>((resolve) => {
      const id = ++seq;
      waiting.set(id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  await send('Profiler.enable');
  await send('Profiler.setSamplingInterval', { interval: 200 });
  await send('Profiler.start');
  return {
    async stop(top = 30) {
      const { profile } = (await send('Profiler.stop')) as { profile: Profile };
      const self = new Map<number, number>();
      profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
      const byFn = new Map<string, number>();
      const where = new Map<string, ProfileNode['callFrame']>();
      let total = 0;
      for (const node of profile.nodes) {
        const us = self.get(node.id) ?? 0;
        total += us;
        const f = node.callFrame;
        const file = f.url.split('/').slice(-2).join('/');
        const key = `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}`;
        byFn.set(key, (byFn.get(key) ?? 0) + us);
        where.set(key, f);
      }
      const rows = [...byFn.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
      // Bundle line numbers say little: show the source text at each frame.
      await send('Debugger.enable');
      const sources = new Map<string, string[]>();
      const snippet = async (f: ProfileNode['callFrame'] | undefined): Promise<string> => {
        if (!f?.scriptId || f.scriptId === '0') return '';
        if (!sources.has(f.scriptId)) {
          const r = (await send('Debugger.getScriptSource', { scriptId: f.scriptId })) as { scriptSource?: string } | undefined;
          sources.set(f.scriptId, (r?.scriptSource ?? '').split('\n'));
        }
        return (sources.get(f.scriptId)![f.lineNumber] ?? '').slice(f.columnNumber, f.columnNumber + 90).trim();
      };
      const lines = [`CPU profile: ${(total / 1000).toFixed(0)} ms sampled`];
      for (const [k, us] of rows) lines.push(`${(us / 1000).toFixed(1).padStart(9)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}  | ${await snippet(where.get(k))}`);
      ws.close();
      return lines.join('\n');
    },
  };
}
