#!/usr/bin/env node
// `npm start`: prepares the app (DEV-ONLY keys, browser bundle), then runs `wrangler dev` with any
// extra arguments (`npm start -- --port 8788`). Ctrl-C stops it.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const app = join(dirname(fileURLToPath(import.meta.url)), '..');
const prepared = spawnSync(process.execPath, [join(app, 'scripts/prepare.mjs')], { cwd: app, stdio: 'inherit' });
if (prepared.status !== 0) process.exit(prepared.status ?? 1);
console.log('\n  Sign in with any email address: in local development no email is sent, the magic link is printed here.\n');

const wrangler = join(dirname(createRequire(import.meta.url).resolve('wrangler/package.json')), 'bin/wrangler.js');
const env = {
  ...process.env,
  // wrangler dev fetches request.cf's sample data from workers.cloudflare.com on every start and prints a
  // DNS error when offline; this app does not read request.cf, so use the built-in placeholder.
  CLOUDFLARE_CF_FETCH_ENABLED: process.env.CLOUDFLARE_CF_FETCH_ENABLED ?? 'false',
  WRANGLER_SEND_METRICS: process.env.WRANGLER_SEND_METRICS ?? 'false',
};
const child = spawn(process.execPath, [wrangler, 'dev', ...process.argv.slice(2)], { cwd: app, env, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
