#!/usr/bin/env node
// `npm run bench [-- <suite>... [--write]]`: runs benchmark suites, one Node process each.
// A suite is a folder bench/<name>/ with an index.ts (the benchmark) and a README.md (method and
// latest table). Sources are TypeScript with TC39 decorators, which plain Node cannot run, so each
// suite is bundled with esbuild first (into node_modules/.bench/) and the bundle is run with
// `node --expose-gc --single-threaded`. `--write` lets suites replace the results block of their README.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = resolve(benchDir, '..');
const outDir = join(root, 'node_modules', '.bench');

const args = process.argv.slice(2);
const flags = args.filter((a) => a.startsWith('--'));
const wanted = args.filter((a) => !a.startsWith('--'));

const suites = readdirSync(benchDir)
  .filter((name) => statSync(join(benchDir, name)).isDirectory() && existsSync(join(benchDir, name, 'index.ts')))
  .sort();
const unknown = wanted.filter((name) => !suites.includes(name));
if (unknown.length > 0) {
  console.error(`[bench] unknown suite(s): ${unknown.join(', ')}; available: ${suites.join(', ')}`);
  process.exit(2);
}
const selected = wanted.length > 0 ? wanted : suites;

mkdirSync(outDir, { recursive: true });
let failed = 0;
for (const name of selected) {
  const entry = join(benchDir, name, 'index.ts');
  const outfile = join(outDir, `${name}.mjs`);
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'es2022', // lowers TC39 decorators and `using`
    sourcemap: 'inline',
    logLevel: 'warning',
    banner: { js: "import { createRequire as __lmzCreateRequire } from 'node:module'; const require = __lmzCreateRequire(import.meta.url);" },
  });
  console.log(`\n[bench] ${name} (node ${process.version})`);
  // --single-threaded: GC and compilation on the main thread, so the harness's CPU-time clock
  // bills them to the work that caused them (see bench/lib/harness.ts).
  const result = spawnSync(process.execPath, ['--expose-gc', '--single-threaded', '--enable-source-maps', outfile, ...flags], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_SUITE_DIR: join(benchDir, name) },
  });
  if (result.status !== 0) {
    failed++;
    console.error(`[bench] ${name} exited with ${result.status ?? result.signal}`);
  }
}
process.exit(failed === 0 ? 0 : 1);
