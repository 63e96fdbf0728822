/**
 * Extracts the TypeScript code blocks of docs/*.md and package READMEs into a scratch folder and
 * type-checks them against the real packages, so docs cannot drift from code.
 *
 * Fences: ```ts / ```typescript are checked; ```ts no-check is shown but not checked (use sparingly,
 * for fragments that cannot stand alone). Each block is its own module.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface DocBlock {
  file: string;
  line: number;
  code: string;
}

export function extractBlocks(markdown: string, file: string): DocBlock[] {
  const blocks: DocBlock[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(ts|typescript)(\s+.*)?$/.exec(lines[i].trim());
    if (!open) continue;
    const skip = /\bno-check\b/.test(open[2] ?? '');
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end].trim() !== '```') end++;
    if (!skip) blocks.push({ file, line: start + 1, code: lines.slice(start, end).join('\n') });
    i = end;
  }
  return blocks;
}

export function docFiles(): string[] {
  const files: string[] = [];
  const docs = join(repo, 'docs');
  if (existsSync(docs)) for (const f of readdirSync(docs)) if (f.endsWith('.md')) files.push(join(docs, f));
  for (const dir of ['packages', 'apps']) {
    if (!existsSync(join(repo, dir))) continue;
    for (const p of readdirSync(join(repo, dir))) {
      const readme = join(repo, dir, p, 'README.md');
      if (existsSync(readme)) files.push(readme);
    }
  }
  return files;
}

/** Writes every block as a module and runs tsc over them; returns tsc's output and exit status. */
export function checkDocs(files = docFiles()): { blocks: DocBlock[]; status: number; output: string } {
  // A folder of its own per run (inside node_modules so the blocks resolve the workspace packages):
  // two checks at once must not delete each other's files.
  const out = mkdtempSync(join(repo, 'node_modules/.docs-check-'));
  try {
    return checkIn(out, files);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function checkIn(out: string, files: string[]): { blocks: DocBlock[]; status: number; output: string } {
  const blocks = files.flatMap((f) => extractBlocks(readFileSync(f, 'utf8'), f));
  const names: string[] = [];
  blocks.forEach((b, i) => {
    const rel = relative(repo, b.file).replace(/[^\w]+/g, '_');
    const name = `${rel}_L${b.line}_${i}.ts`;
    names.push(name);
    writeFileSync(join(out, name), `// ${relative(repo, b.file)}:${b.line}\nexport {};\n${b.code}\n`);
  });
  writeFileSync(
    join(out, 'tsconfig.json'),
    JSON.stringify({
      extends: join(repo, 'tsconfig.base.json'),
      compilerOptions: { types: ['@cloudflare/workers-types', 'node'], typeRoots: [join(repo, 'node_modules'), join(repo, 'node_modules/@types')], noUnusedLocals: false },
      files: names,
    }),
  );
  if (!blocks.length) return { blocks, status: 0, output: '' };
  const tsc = join(repo, 'node_modules/typescript/bin/tsc');
  const run = spawnSync(process.execPath, [tsc, '-p', join(out, 'tsconfig.json')], { cwd: out, encoding: 'utf8' });
  return { blocks, status: run.status ?? 1, output: (run.stdout + run.stderr).replaceAll(out + '/', '') };
}

if (process.argv[1] && basename(process.argv[1]).startsWith('docs-check')) {
  const { blocks, status, output } = checkDocs();
  console.log(`docs check: ${blocks.length} code blocks`);
  if (status !== 0) {
    console.error(output);
    process.exit(1);
  }
}
