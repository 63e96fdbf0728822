/**
 * Client bundle size (issue 9 item 4): `LumenizeClient` from `@lumenize/mesh/client` vs Cap'n Web
 * 0.12's WebSocket client, each bundled for the browser with the same esbuild settings (ESM,
 * minified, tree-shaken, es2022), then gzipped (level 9) and brotli-compressed. Target: ours
 * ≤ 12 kB min+gz. Also lists which of our source files take the most bytes. Method: README.md.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type * as Esbuild from 'esbuild';
import { formatRatio, machineLoad, table, today, writeResults } from '../lib/harness.ts';
import { BUNDLE_SETTINGS } from '../../tools/bundle-settings.ts';

const TARGET_BYTES = 12 * 1024;

interface Entry {
  name: string;
  peer: 'ours' | "Cap'n Web" | 'Agents SDK';
  source: string;
}

/** What an application imports to hold a client that makes calls and answers calls from the server. */
const ENTRIES: Entry[] = [
  { name: 'client that calls and is called', peer: 'ours', source: "export { LumenizeClient, mesh } from '@lumenize/mesh/client';" },
  { name: 'client that calls and is called', peer: "Cap'n Web", source: "export { newWebSocketRpcSession, RpcTarget } from 'capnweb';" },
  { name: 'client that calls and is called', peer: 'Agents SDK', source: "export { AgentClient } from 'agents/client';" },
  { name: 'client entry, everything', peer: 'ours', source: "export * from '@lumenize/mesh/client';" },
  { name: 'client entry, everything', peer: "Cap'n Web", source: "export * from 'capnweb';" },
  { name: 'client entry, everything', peer: 'Agents SDK', source: "export * from 'agents/client';" },
];

const resolveDir = process.env.BENCH_SUITE_DIR ?? dirname(new URL(import.meta.url).pathname);
const repoRoot = join(resolveDir, '..', '..');
// The Agents SDK is installed only in its own folder (outside the root workspace and lockfile).
const agentsDir = join(resolveDir, '..', 'mesh-common', 'agents-worker');
const agentsInstalled = existsSync(join(agentsDir, 'node_modules', 'agents', 'package.json'));
// esbuild finds its native binary relative to its own files, so it is loaded from node_modules at
// run time rather than bundled into this suite (the specifier is a variable so the runner's
// esbuild leaves it alone).
const esbuildModule = 'esbuild';
const { build } = createRequire(join(resolveDir, 'index.ts'))(esbuildModule) as typeof Esbuild;
type Metafile = Esbuild.Metafile;

async function bundle(source: string, from: string): Promise<{ code: Uint8Array; metafile: Metafile }> {
  const result = await build({
    stdin: { contents: source, resolveDir: from, sourcefile: 'entry.ts', loader: 'ts' },
    ...BUNDLE_SETTINGS,
    absWorkingDir: repoRoot, // metafile paths are relative to the repository root
  });
  return { code: result.outputFiles[0].contents, metafile: result.metafile };
}

const kB = (bytes: number) => (bytes / 1024).toFixed(2);

const sizes = new Map<string, { min: number; gz: number; br: number; metafile: Metafile }>();
for (const e of ENTRIES) {
  if (e.peer === 'Agents SDK' && !agentsInstalled) continue;
  const { code, metafile } = await bundle(e.source, e.peer === 'Agents SDK' ? agentsDir : resolveDir);
  const gz = gzipSync(code, { level: 9 }).length;
  const br = brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  sizes.set(`${e.peer}|${e.name}`, { min: code.length, gz, br, metafile });
}

const rows: string[][] = [];
for (const e of ENTRIES) {
  const s = sizes.get(`${e.peer}|${e.name}`);
  if (!s) {
    rows.push([e.name, e.peer, `\`${e.source}\``, 'n/a: agents is not installed (npm ci --prefix bench/mesh-common/agents-worker)', '', '', '', '', '']);
    continue;
  }
  const peer = sizes.get(`Cap'n Web|${e.name}`)!;
  const isOurs = e.peer === 'ours';
  rows.push([
    e.name,
    e.peer,
    `\`${e.source}\``,
    kB(s.min),
    kB(s.gz),
    kB(s.br),
    isOurs ? formatRatio(s.gz / peer.gz) : '—',
    isOurs && sizes.has(`Agents SDK|${e.name}`) ? formatRatio(s.gz / sizes.get(`Agents SDK|${e.name}`)!.gz) : '—',
    isOurs && e.name.startsWith('client that') ? (s.gz <= TARGET_BYTES ? 'MET' : 'MISSED') : '',
  ]);
}
const results = table(['bundle', 'library', 'entry', 'min kB', 'min+gz kB', 'min+br kB', "ours ÷ Cap'n Web (gz)", 'ours ÷ Agents SDK (gz)', 'target ≤ 12 kB min+gz'], rows);

// Where our bytes go: minified output bytes per input package/folder.
const ours = sizes.get('ours|client that calls and is called')!;
const output = Object.values(ours.metafile.outputs)[0];
const byGroup = new Map<string, number>();
for (const [input, info] of Object.entries(output.inputs)) {
  const group =
    /packages\/([^/]+)\/src\/(?:([^/]+)\/)?/.exec(input)?.slice(1, 3).filter(Boolean).join('/') ?? (input.includes('node_modules') ? input.split('node_modules/').pop()!.split('/')[0] : input);
  byGroup.set(group, (byGroup.get(group) ?? 0) + info.bytesInOutput);
}
const breakdown = table(
  ['source (ours, minified, before gzip)', 'bytes'],
  [...byGroup].filter(([, bytes]) => bytes > 0).sort((a, b) => b[1] - a[1]).map(([group, bytes]) => [group, bytes.toLocaleString('en-US')]),
);
const topFiles = table(
  ['largest files (ours, minified, before gzip)', 'bytes'],
  Object.entries(output.inputs)
    .sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput)
    .slice(0, 12)
    .map(([input, info]) => [input, info.bytesInOutput.toLocaleString('en-US')]),
);
console.log(`\n${results}\n\n${breakdown}\n\n${topFiles}`);
writeResults(`Measured ${today()}, esbuild, Node ${process.version}, ${process.platform}/${process.arch}, ${machineLoad()} (a shared machine; sizes do not depend on it).\n\n${results}\n\nWhere our bytes go (first row's bundle):\n\n${breakdown}\n\n${topFiles}`);
