/**
 * CPU-profile helpers shared by the bench profilers (bench/mesh-common/profile.ts, bench/rpc/profile.ts):
 * a minimal DevTools protocol client, self time per function, the printed report, and the run that
 * profiles workerd and this Node process around each peer's sequential calls.
 */
import { Session } from 'node:inspector/promises';
export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; scriptId: string };
  hitCount?: number;
  children?: number[];
}
export interface Profile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}

/** A minimal DevTools protocol client over the inspector WebSocket. */
export async function cdp(wsUrl: string) {
  // wrangler's inspector proxy wants a localhost Origin (Node's WebSocket accepts extra headers).
  const ws = new WebSocket(wsUrl, { headers: { Origin: 'http://localhost' } } as unknown as string[]);
  await new Promise((resolve, reject) => {
    ws.addEventListener('open', resolve, { once: true });
    ws.addEventListener('error', reject, { once: true });
  });
  let nextId = 1;
  const waiting = new Map<number, (v: { result?: unknown; error?: unknown }) => void>();
  ws.addEventListener('message', (e) => {
    const msg = JSON.parse(String(e.data)) as { id?: number; result?: unknown; error?: unknown };
    if (msg.id !== undefined) waiting.get(msg.id)?.(msg);
  });
  return {
    async send<T>(method: string, params: object = {}): Promise<T> {
      const id = nextId++;
      const reply = await new Promise<{ result?: unknown; error?: unknown }>((resolve) => {
        waiting.set(id, resolve);
        ws.send(JSON.stringify({ id, method, params }));
      });
      if (reply.error) throw new Error(`${method}: ${JSON.stringify(reply.error)}`);
      return reply.result as T;
    },
    close: () => ws.close(),
  };
}

/** Source lines of workerd's bundled script, to name anonymous functions (filled by `loadSources`). */
const sourceLines = new Map<string, string[]>();

/** Self time per function (ms), biggest first; idle/GC/program buckets kept by name. */
export function selfTimes(profile: Profile): { total: number; rows: Array<[string, number]> } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const ms = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) ms.set(samples[i], (ms.get(samples[i]) ?? 0) + (deltas[i + 1] ?? deltas[i] ?? 0) / 1000);
  const byName = new Map<string, number>();
  for (const [id, t] of ms) {
    const f = byId.get(id)!.callFrame;
    const file = f.url.replace(/^.*\/(packages|node_modules|bench|\.wrangler)\//, '$1/');
    const line = f.functionName ? undefined : sourceLines.get(f.scriptId)?.[f.lineNumber]?.trim().slice(0, 90);
    const key = f.url ? `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}${line ? `  «${line}»` : ''}` : f.functionName;
    byName.set(key, (byName.get(key) ?? 0) + t);
  }
  return { total: (profile.endTime - profile.startTime) / 1000, rows: [...byName].sort((a, b) => b[1] - a[1]) };
}

export function report(side: string, profile: Profile, calls: number): void {
  const { total, rows } = selfTimes(profile);
  const idle = rows.filter(([k]) => k === '(idle)' || k === '(program)').reduce((s, [, t]) => s + t, 0);
  console.log(`\n  ${side}: ${total.toFixed(0)} ms sampled, ${(total - idle).toFixed(0)} ms busy (${(((total - idle) / calls) * 1000).toFixed(0)} µs per call)`);
  for (const [name, t] of rows.slice(0, Number(process.env.PROFILE_ROWS ?? 18))) console.log(`    ${((t / calls) * 1000).toFixed(1).padStart(7)} µs/call  ${name}`);
}

/**
 * Self time of the functions named `name` (e.g. a native `exec`), split by their two nearest
 * callers: which statement or send costs what. Printed for each name in PROFILE_CALLERS (comma-separated).
 */
export function callers(side: string, profile: Profile, name: string, calls: number): void {
  const parent = new Map<number, ProfileNode>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const label = (n: ProfileNode | undefined) => (n ? `${n.callFrame.functionName || '(anonymous)'}:${n.callFrame.lineNumber + 1}` : '-');
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const rows = new Map<string, number>();
  for (let i = 0; i < samples.length; i++) {
    const node = byId.get(samples[i])!;
    if (node.callFrame.functionName !== name) continue;
    const p1 = parent.get(node.id);
    const key = `${label(p1)} < ${label(p1 && parent.get(p1.id))}`;
    rows.set(key, (rows.get(key) ?? 0) + (deltas[i + 1] ?? deltas[i] ?? 0) / 1000);
  }
  console.log(`    ${side}: self time of '${name}' by caller`);
  for (const [key, t] of [...rows].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`    ${((t / calls) * 1000).toFixed(1).padStart(7)} µs/call  ${key}`);
}

/** What `profilePeers` needs to know about one run. */
export interface ProfileRun {
  /** The operation's name, as printed. */
  op: string;
  /** How many times `run` is called per peer. */
  calls: number;
  /** Calls that one `run` makes (a batch of DO → DO calls counts each). */
  perRun?: number;
  /** Sampling interval, µs. */
  intervalUs: number;
  /** What the workerd isolate runs, as printed. */
  workerdLabel: string;
  /** Calls one `run` issues at once (printed; 1: sequential). */
  inFlight?: number;
}

/**
 * Samples workerd (through the Worker's DevTools inspector on `inspectorPort`) and this Node process
 * while each peer makes `calls` sequential calls after a warm-up, then prints both profiles per peer.
 */
export async function profilePeers<P extends { name: string }>(inspectorPort: number, peers: P[], run: (peer: P) => Promise<unknown>, o: ProfileRun): Promise<void> {
  const perRun = o.perRun ?? 1;
  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as Array<{ webSocketDebuggerUrl: string }>;
  const workerd = await cdp(targets[0].webSocketDebuggerUrl);
  await workerd.send('Profiler.enable');
  await workerd.send('Debugger.enable');
  await workerd.send('Profiler.setSamplingInterval', { interval: o.intervalUs });
  const node = new Session();
  node.connect();
  await node.post('Profiler.enable');
  await node.post('Profiler.setSamplingInterval', { interval: o.intervalUs });
  try {
    for (const peer of peers) for (let i = 0; i < 200 / perRun; i++) await run(peer);
    for (const peer of peers) {
      await workerd.send('Profiler.start');
      await node.post('Profiler.start');
      const start = performance.now();
      for (let i = 0; i < o.calls; i++) await run(peer);
      const wall = performance.now() - start;
      const { profile: nodeProfile } = (await node.post('Profiler.stop')) as unknown as { profile: Profile };
      const { profile: workerdProfile } = await workerd.send<{ profile: Profile }>('Profiler.stop');
      for (const id of new Set(workerdProfile.nodes.map((n) => n.callFrame.scriptId))) {
        if (!id || id === '0' || sourceLines.has(id)) continue;
        const src = await workerd.send<{ scriptSource: string }>('Debugger.getScriptSource', { scriptId: id }).catch(() => ({ scriptSource: '' }));
        sourceLines.set(id, src.scriptSource.split('\n'));
      }
      const total = o.calls * perRun;
      const how = (o.inFlight ?? 1) > 1 ? `${o.op} calls, ${o.inFlight} in flight` : `sequential ${o.op} calls`;
      console.log(`\n${peer.name}: ${total} ${how}, ${((wall / total) * 1000).toFixed(0)} µs per call (wall)`);
      report(o.workerdLabel, workerdProfile, total);
      for (const name of (process.env.PROFILE_CALLERS ?? '').split(',').filter(Boolean)) callers('workerd', workerdProfile, name, total);
      report('Node (client)', nodeProfile, total);
    }
  } finally {
    workerd.close();
    node.disconnect();
  }
}
