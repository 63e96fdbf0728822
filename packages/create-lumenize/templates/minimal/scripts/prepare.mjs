#!/usr/bin/env node
// Prepares the app for `wrangler dev`, tests and deploys (run by npm start / npm test / npm run build):
// 1. DEV-ONLY JWT keys: when .dev.vars (git-ignored) has none, writes a fresh pair and
//    AUTH_DEV_MODE="true" into it. Deployed Workers never read .dev.vars.
// 2. The browser bundle: esbuild bundles web/main.ts into dist/public/app.js next to index.html.
// `--build` skips step 1 (for deploys).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { newKeyPair } from './keys.mjs';

const app = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Adds missing DEV-ONLY keys and AUTH_DEV_MODE to .dev.vars, keeping whatever else it holds. */
export function ensureDevKeys() {
  const file = join(app, '.dev.vars');
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const lines = [];
  if (!/^JWT_PRIVATE_KEY_BLUE=/m.test(current) || !/^JWT_PUBLIC_KEY_BLUE=/m.test(current)) {
    lines.push('# DEV ONLY: written by scripts/prepare.mjs. Git-ignored. Never deploy these keys.');
    for (const [name, value] of Object.entries(newKeyPair())) lines.push(`${name}="${value}"`);
  }
  if (!/^AUTH_DEV_MODE=/m.test(current)) lines.push('# DEV ONLY: magic links are printed to the terminal.', 'AUTH_DEV_MODE="true"');
  if (lines.length === 0) return false;
  writeFileSync(file, (current ? `${current.trimEnd()}\n` : '') + lines.join('\n') + '\n', { mode: 0o600 });
  return true;
}

/** Bundles the browser code into dist/public (each file written under a temporary name, then renamed). */
export async function buildWeb() {
  const out = join(app, 'dist/public');
  mkdirSync(out, { recursive: true });
  const result = await build({
    entryPoints: [join(app, 'web/main.ts')],
    outfile: join(out, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    // es2022 lowers the standard decorators and `using`, which browsers do not run natively yet.
    target: 'es2022',
    sourcemap: true,
    write: false,
    logLevel: 'warning',
  });
  const files = result.outputFiles.map((f) => ({ path: f.path, contents: f.contents }));
  files.push({ path: join(out, 'index.html'), contents: readFileSync(join(app, 'web/index.html')) });
  for (const file of files) {
    writeFileSync(`${file.path}.tmp`, file.contents);
    renameSync(`${file.path}.tmp`, file.path);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (!process.argv.includes('--build') && ensureDevKeys()) console.log('  Wrote DEV-ONLY JWT keys to .dev.vars');
  await buildWeb();
}
