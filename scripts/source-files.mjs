// Lists TypeScript source files under a folder, skipping node_modules and build output.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function tsFiles(dir) {
  const out = [];
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...tsFiles(full));
    else if (/\.(ts|tsx|mts)$/.test(name) && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

/** Import/export/dynamic-import specifiers of a source text. */
export function importSpecifiers(text) {
  const specs = [];
  // Static forms must start a line (so examples in comments and strings are not imports).
  const re = /^\s*(?:import|export)\s*(?:[^'"`;]*?\sfrom\s*)?['"]([^'"]+)['"]|(?:^|[^\w$.'"])import\s*\(\s*['"]([^'"]+)['"]\s*\)/gm;
  for (const m of text.matchAll(re)) specs.push(m[1] ?? m[2]);
  return specs;
}
