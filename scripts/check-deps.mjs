#!/usr/bin/env node
// Dependency direction (CONVENTIONS.md): a package imports only packages below it, by package name,
// never another package's src/ (by path or by `@lumenize/x/src/...`). Tests included.
// Usage: node scripts/check-deps.mjs [repoRoot]
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { importSpecifiers, tsFiles } from './source-files.mjs';

const LEVEL = { 'structured-clone': 0, debug: 0, utils: 1, mesh: 2, auth: 3, rpc: 3, testing: 4, mcp: 4, fetch: 5, 'create-lumenize': 8 };
const APPS_LEVEL = 6;
const BENCH_LEVEL = 7;
// Subpaths a spec names; anything else after the package name is reaching inside.
const ALLOWED_SUBPATHS = new Set(['@lumenize/testing/test-endpoints', '@lumenize/mesh/client', '@lumenize/mesh/client/pubsub', '@lumenize/mesh/client/validation', '@lumenize/mesh/client/wire-log', '@lumenize/debug/lite']);

const root = resolve(process.argv[2] ?? '.');
const problems = [];

function units() {
  const list = [];
  const dir = (d) => (existsSync(join(root, d)) ? readdirSync(join(root, d)) : []);
  for (const p of dir('packages')) list.push({ name: p, dir: join(root, 'packages', p), level: LEVEL[p] });
  for (const a of dir('apps')) list.push({ name: `apps/${a}`, dir: join(root, 'apps', a), level: APPS_LEVEL });
  if (existsSync(join(root, 'bench'))) list.push({ name: 'bench', dir: join(root, 'bench'), level: BENCH_LEVEL });
  return list;
}

const all = units();
for (const unit of all) {
  if (unit.level === undefined) {
    problems.push(`packages/${unit.name} has no place in the dependency order; add it to CONVENTIONS.md and scripts/check-deps.mjs`);
    continue;
  }
  for (const file of tsFiles(unit.dir)) {
    const where = relative(root, file);
    for (const spec of importSpecifiers(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('@lumenize/')) {
        const [, name, ...rest] = spec.split('/');
        const target = LEVEL[name];
        if (name === unit.name) problems.push(`${where} imports its own package by name ('${spec}'); use a relative path`);
        else if (target === undefined) problems.push(`${where} imports unknown package '${spec}'`);
        else if (target >= unit.level) problems.push(`${where} (${unit.name}) imports '${spec}', which is not below it in the dependency order`);
        if (rest.length && !ALLOWED_SUBPATHS.has(spec)) problems.push(`${where} reaches inside a package ('${spec}'); import the package name`);
      } else if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec);
        const owner = all.find((u) => target === u.dir || target.startsWith(u.dir + sep));
        if (owner && owner !== unit) problems.push(`${where} reaches into ${owner.name} by path ('${spec}'); import '@lumenize/${owner.name}' instead`);
      }
    }
  }
}
if (problems.length) {
  console.error(`dependency direction check failed (${problems.length}):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`dependency direction check: ${all.length} packages ok`);
