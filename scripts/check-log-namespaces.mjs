#!/usr/bin/env node
// Checks every `lmz.` namespace passed to a logger in framework source (spec/debug.md §6 item 3):
// it must be lmz.<package>.<Identifier>[.<member>] and <package> must be the containing package.
// Usage: node scripts/check-log-namespaces.mjs [repoRoot]
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { tsFiles } from './source-files.mjs';

const root = resolve(process.argv[2] ?? '.');
const SHAPE = /^lmz\.([a-z][a-z0-9]*(?:-[a-z0-9]+)*)\.([A-Za-z_$][\w$]*)(?:\.([A-Za-z_$][\w$]*))?$/;
const CALL = /\b(?:debug|log|logger|#log)\s*\(\s*(['"`])(lmz\.[^'"`]*)\1/g;

const problems = [];
let seen = 0;
let packages = [];
try {
  packages = readdirSync(join(root, 'packages'));
} catch {
  // No packages: nothing to check.
}
for (const pkg of packages) {
  for (const file of tsFiles(join(root, 'packages', pkg, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(CALL)) {
      seen++;
      const ns = m[2];
      const shape = SHAPE.exec(ns);
      const where = `${relative(root, file)}: '${ns}'`;
      if (!shape) problems.push(`${where} is not lmz.<kebab-package>.<Identifier>[.<member>]`);
      else if (shape[1] !== pkg) problems.push(`${where} names package '${shape[1]}' but lives in '${pkg}'`);
    }
  }
}
if (problems.length) {
  console.error(`log namespace check failed (${problems.length}):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`log namespace check: ${seen} lmz.* namespaces ok`);
