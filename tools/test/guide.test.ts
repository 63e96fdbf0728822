/**
 * docs/getting-started.md agrees with what its step 0 produces. The test runs that step (the
 * scaffolder, `--template docs-editor`, without install) into a temp folder outside the workspace
 * and checks the project against the guide: every file a step names exists, step 2's bindings are
 * the project's bindings, every class and `@mesh` method the guide shows exists in the project's
 * sources, and the commands step 0 tells the reader to run are real scripts.
 *
 * Not covered here (see tools/e2e/first-hour.e2e.test.ts): installing, type-checking and running the
 * scaffolded project. Not yet built: a replay that writes each step's snippets as files and
 * type-checks every intermediate state (the guide's snippets are simplified versions of the files).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const repo = join(dirname(fileURLToPath(import.meta.url)), '../..');
const guide = readFileSync(join(repo, 'docs/getting-started.md'), 'utf8');

/** The guide's numbered sections (`## 0. …`), by number. */
function sections(): Map<number, string> {
  const out = new Map<number, string>();
  const parts = guide.split(/^## (?=\d+\. )/m).slice(1);
  for (const part of parts) out.set(Number(/^(\d+)\./.exec(part)![1]), part);
  return out;
}

/** ```lang fenced blocks of a text. */
function blocks(text: string, lang: string): string[] {
  return [...text.matchAll(new RegExp('^```' + lang + '\\n([\\s\\S]*?)^```', 'gm'))].map((m) => m[1]!);
}

/** JSONC → JSON (line comments and trailing commas; the guide's blocks have no `//` inside strings). */
function parseJsonc(text: string): Record<string, unknown> {
  return JSON.parse(text.replace(/^\s*\/\/.*$/gm, '').replace(/,(\s*[}\]])/g, '$1')) as Record<string, unknown>;
}

describe('docs/getting-started.md matches the project its step 0 scaffolds', () => {
  let project: string;

  beforeAll(() => {
    project = join(mkdtempSync(join(tmpdir(), 'lmz-guide-')), 'my-docs');
    // Step 0, as the guide writes it (`npm run create -- ../my-docs --template docs-editor`), minus
    // packing and installing: the scaffolder's own CLI with --no-install.
    execFileSync(process.execPath, [join(repo, 'packages/create-lumenize/bin/create-lumenize.mjs'), project, '--template', 'docs-editor', '--no-install'], { stdio: 'pipe' });
  }, 60_000);

  it('step 0\'s commands are real: the workspace script, the template, and the project\'s start/test/typecheck scripts', () => {
    const step0 = sections().get(0)!;
    expect(step0).toContain('npm run create -- ../my-docs --template docs-editor');
    const rootScripts = (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(rootScripts.create).toContain('create-lumenize');
    expect(rootScripts['test:e2e']).toBeDefined();
    const scripts = (JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    for (const [command, script] of [['npm start', 'start'], ['npm test', 'test'], ['npm run typecheck', 'typecheck']] as const) {
      expect(step0, command).toContain(command);
      expect(scripts[script], script).toBeDefined();
    }
    // The README's "Start a new project" gives the same command.
    expect(readFileSync(join(repo, 'README.md'), 'utf8')).toContain('npm run create -- ../my-docs --template docs-editor');
  });

  it('every file steps 1 to 8 name exists in the scaffolded project', () => {
    const named = new Set<string>();
    for (const [n, text] of sections()) {
      if (n < 1 || n > 8) continue;
      for (const m of text.matchAll(/`((?:src|web|scripts|test)\/[\w./*-]+)`/g)) named.add(m[1]!);
    }
    expect(named.size).toBeGreaterThan(5);
    const missing = [...named].filter((p) => !existsSync(join(project, p.replace(/\/\*$/, ''))));
    expect(missing).toEqual([]);
  });

  it('step 2\'s wrangler.jsonc has the project\'s bindings, entry point and flags', () => {
    const [shown] = blocks(sections().get(2)!, 'jsonc');
    const guideConfig = parseJsonc(shown!);
    const real = parseJsonc(readFileSync(join(project, 'wrangler.jsonc'), 'utf8'));
    for (const key of ['name', 'main', 'compatibility_flags', 'durable_objects', 'services', 'assets'] as const) {
      expect(guideConfig[key], key).toEqual(real[key]);
    }
    expect(real.compatibility_date).toBeDefined();
    expect((guideConfig.migrations as unknown[]).length).toBeGreaterThan(0);
  });

  it('every class and @mesh method the guide shows exists in the project\'s sources', () => {
    const sources = ['src/worker.ts', 'src/demo-auth.ts', 'src/document-do.ts', 'src/word-count-worker.ts', 'src/document-registry-do.ts', 'web/docs-client.ts']
      .map((f) => readFileSync(join(project, f), 'utf8'))
      .join('\n');
    const shown: string[] = [];
    for (const block of blocks(guide, 'ts')) {
      for (const m of block.matchAll(/^export class (\w+)/gm)) {
        shown.push(m[1]!);
        expect(sources, `class ${m[1]}`).toMatch(new RegExp(`export class ${m[1]}\\b`));
      }
      // `@mesh` or `@mesh((…) => { … })` then the method line.
      for (const m of block.matchAll(/^ {2}@mesh(?:\n| *\([\s\S]*?\n {2}\}\)\n)\s*(\w+)\(/gm)) {
        shown.push(`${m[1]}()`);
        expect(sources, `method ${m[1]}`).toMatch(new RegExp(`^\\s+${m[1]}\\(`, 'm'));
      }
    }
    expect(shown).toEqual(expect.arrayContaining(['DocumentDO', 'DocumentRegistryDO', 'WordCountWorker', 'DemoAuth', 'DocsClient', 'edit()', 'create()', 'documentChanged()', 'count()']));
  });
});
