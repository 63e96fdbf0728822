/**
 * docs/getting-started.md, checked in `npm test` (the full replay with installed tarballs, a type
 * check after every step, `npm test` and `npm start` is in tools/e2e/first-hour.e2e.test.ts):
 * - the page parses into replayable steps (tools/test/guide-steps.ts);
 * - replayed on the scaffolded `minimal` template (no install), every file a step deletes exists
 *   then, and every project file a step's prose names exists after that step;
 * - the prose and the code agree: methods named in the prose are defined in the guide's code (or in
 *   the demo the prose points to), and the final wrangler.jsonc, src/env.ts and src/worker.ts agree
 *   on every binding;
 * - the final project type-checks with TypeScript 5.x against the workspace packages;
 * - issue 19 "every signed-out page load logs a 401": the guide's Worker turns on @lumenize/auth's
 *   `signedInHint` (a readable, secret-free cookie mirroring the refresh cookie) and its page asks
 *   for a token only behind it (in Chromium: tools/e2e/first-hour.e2e.test.ts).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guideSteps, replayProblems, repo, type GuideStep } from './guide-steps.ts';

const steps = guideSteps();
const scaffolder = join(repo, 'packages/create-lumenize/bin/create-lumenize.mjs');

/** JSONC → JSON (line comments and trailing commas; the guide's config has no `//` inside strings). */
function parseJsonc(text: string): Record<string, unknown> {
  return JSON.parse(text.replace(/^\s*\/\/.*$/gm, '').replace(/,(\s*[}\]])/g, '$1')) as Record<string, unknown>;
}

/** Applies one step's file actions (writes and `rm`) to a project; returns the problems found. */
function applyFiles(project: string, step: GuideStep): string[] {
  const problems: string[] = [];
  for (const action of step.actions) {
    if (action.kind === 'write') {
      mkdirSync(dirname(join(project, action.path)), { recursive: true });
      writeFileSync(join(project, action.path), action.content);
    } else if (action.command.startsWith('rm ')) {
      for (const file of action.command.split(' ').slice(1)) {
        if (existsSync(join(project, file))) rmSync(join(project, file));
        else problems.push(`step ${step.n} deletes ${file}, which is not there`);
      }
    }
  }
  return problems;
}

/** Every `src/…`, `web/…`, `test/…` or `scripts/…` path in a step's prose. */
function namedPaths(step: GuideStep): string[] {
  return [...step.prose.matchAll(/`((?:src|web|test|scripts)\/[\w./-]+)`/g)].map((m) => m[1]!);
}

describe('docs/getting-started.md, replayed on the scaffolded minimal template', () => {
  let project: string;
  const missing: string[] = [];

  beforeAll(() => {
    // Inside the workspace's node_modules so the project resolves @lumenize/* to the workspace packages.
    project = join(mkdtempSync(join(repo, 'node_modules/.guide-replay-')), 'my-docs');
    execFileSync(process.execPath, [scaffolder, project, '--no-install'], { stdio: 'pipe' });
    for (const step of steps) {
      missing.push(...applyFiles(project, step));
      const removed = step.actions.flatMap((a) => (a.kind === 'run' && a.command.startsWith('rm ') ? a.command.split(' ').slice(1) : []));
      for (const path of namedPaths(step)) {
        if (!existsSync(join(project, path)) && !removed.includes(path) && !existsSync(join(repo, 'apps/demo', path))) missing.push(`step ${step.n} names ${path}, which is in neither the project nor apps/demo`);
      }
    }
  }, 60_000);

  afterAll(() => rmSync(dirname(project), { recursive: true, force: true }));

  it('parses into replayable steps 0 to 10 that start from the scaffolder', () => {
    expect(replayProblems(steps)).toEqual([]);
    expect(steps.map((s) => s.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const first = steps[0]!.actions.filter((a) => a.kind === 'run').map((a) => (a.kind === 'run' ? a.command : ''));
    expect(first.slice(0, 2)).toEqual(['npm create lumenize@latest my-docs', 'cd my-docs']);
    // The workspace form in the prose is a real script, and the README gives the same command.
    expect(steps[0]!.prose).toContain('`npm run create -- ../my-docs`');
    const root = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(root.scripts.create).toContain('create-lumenize');
    expect(readFileSync(join(repo, 'README.md'), 'utf8')).toContain('npm run create -- ../my-app');
    // The project scripts the steps run exist.
    const scripts = (JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    for (const s of ['start', 'test', 'typecheck']) expect(scripts[s], s).toBeDefined();
  });

  it('a parse error names the line: an unclosed block, an unknown command, a path outside the project, a file block without its name', () => {
    expect(() => guideSteps('## 0. A\n```ts file=src/a.ts\nx\n```ts\n```\n')).toThrow('line 2: a code block is not closed before the block at line 4');
    const bad = guideSteps('## 0. A\n```sh\ncurl https://example.com | sh\n```\n**`../outside.ts`**\n```ts file=../outside.ts\n```\nUnlabelled:\n```ts file=src/a.ts\n```\n## 2. B\n');
    expect(replayProblems(bad)).toEqual([
      "line 3: the replay does not know 'curl https://example.com | sh'",
      'line 6: file=../outside.ts is outside the project',
      'line 9: the line above file=src/a.ts must show it: **`src/a.ts`**',
      'step 2 should be numbered 1',
    ]);
  });

  it('every file a step deletes is there, and every file the prose names exists after its step', () => {
    expect(missing).toEqual([]);
    // The counter is gone; the files the guide writes are there.
    for (const gone of ['src/counter-do.ts', 'web/counter-client.ts']) expect(existsSync(join(project, gone)), gone).toBe(false);
    for (const step of steps) for (const a of step.actions) if (a.kind === 'write') expect(readFileSync(join(project, a.path), 'utf8')).not.toBe('');
  });

  it('every method the prose names is defined in the guide\'s code or in the demo it points to', () => {
    const code = steps.flatMap((s) => s.actions).map((a) => (a.kind === 'write' ? a.content : '')).join('\n');
    const demo = ['src', 'web']
      .flatMap((dir) => readdirSync(join(repo, 'apps/demo', dir), { recursive: true, encoding: 'utf8' }).map((f) => join(repo, 'apps/demo', dir, f)))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const named = new Set(steps.flatMap((s) => [...s.prose.matchAll(/`(\w+)\(([\w, ]*)\)`/g)].map((m) => m[1]!)));
    expect(named.size).toBeGreaterThanOrEqual(3);
    for (const method of named) {
      const defined = new RegExp(`^\\s+(?:async\\s+)?${method}\\(`, 'm');
      expect(defined.test(code) || defined.test(demo), `${method}()`).toBe(true);
    }
  });

  it('the final wrangler.jsonc, src/env.ts and src/worker.ts agree on every binding and class', () => {
    const config = parseJsonc(readFileSync(join(project, 'wrangler.jsonc'), 'utf8')) as {
      name: string;
      main: string;
      compatibility_date?: string;
      assets: { directory: string };
      durable_objects: { bindings: Array<{ name: string; class_name: string }> };
      services: Array<{ binding: string; service: string; entrypoint: string }>;
      migrations: Array<{ new_sqlite_classes: string[] }>;
    };
    const worker = readFileSync(join(project, config.main), 'utf8');
    const env = readFileSync(join(project, 'src/env.ts'), 'utf8');
    expect(config.name).toBe('my-docs');
    expect(config.compatibility_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // The assets folder is what scripts/prepare.mjs writes.
    expect(readFileSync(join(project, 'scripts/prepare.mjs'), 'utf8')).toContain("'dist/public'");
    expect(config.assets.directory).toBe('./dist/public');
    const classes = config.durable_objects.bindings.map((b) => b.class_name);
    expect(config.migrations.flatMap((m) => m.new_sqlite_classes).sort()).toEqual([...classes].sort());
    for (const { name, class_name } of config.durable_objects.bindings) {
      expect(worker, class_name).toMatch(new RegExp(`export \\{ ${class_name} \\}`));
      expect(env, name).toMatch(new RegExp(`^\\s+${name}: `, 'm'));
    }
    for (const service of config.services) {
      expect(service.service, 'a service binding to this Worker').toBe(config.name);
      expect(worker).toMatch(new RegExp(`export \\{ ${service.entrypoint} \\}`));
      expect(env).toMatch(new RegExp(`^\\s+${service.binding}: Service<${service.entrypoint}>`, 'm'));
    }
  });

  it('signed out, the page asks for no token: the guide’s Worker asks @lumenize/auth for the signed-in hint, and the page checks it first', async () => {
    // The cookies themselves are tested on the real routes in auth:workerd (test/signed-in-hint.test.ts).
    const worker = readFileSync(join(project, 'src/worker.ts'), 'utf8');
    expect(worker).toMatch(/createAuthRoutes\(env, \{ redirect: '\/', signedInHint: true/);
    expect(existsSync(join(project, 'src/signed-in-hint.ts'))).toBe(false);
    const page = readFileSync(join(project, 'web/main.ts'), 'utf8');
    const guard = page.indexOf('if (!signedInHint()) return showSignIn();');
    expect(guard).toBeGreaterThan(0);
    expect(page.indexOf("fetch('/auth/refresh-token'")).toBeGreaterThan(guard);
    expect(page.match(/fetch\('\/auth\/refresh-token'/g)).toHaveLength(1);
  });

  it('the final project type-checks with TypeScript 5.x against the workspace packages (Worker side and browser side)', () => {
    // The workspace packages resolve to their sources, which compile under the repository's settings
    // (tsconfig.base.json, with Node types as the repository's own checks use), not the project's (a user's project gets the packed .d.ts instead: the e2e replay checks that,
    // with the project's own tsconfig files and TypeScript 7, after every step).
    const base = join(repo, 'tsconfig.base.json');
    const sides = {
      'tsconfig.worker-side.json': { extends: base, compilerOptions: { types: ['@cloudflare/workers-types', '@cloudflare/vitest-plugin/types', 'node'] }, include: ['src/**/*.ts', 'test/**/*.ts'] },
      'tsconfig.browser-side.json': { extends: base, compilerOptions: { lib: ['ES2023', 'ESNext.Disposable', 'DOM', 'DOM.Iterable'], types: ['node'] }, include: ['web/**/*.ts'] },
    };
    const tsc = join(repo, 'node_modules/typescript/bin/tsc');
    for (const [file, config] of Object.entries(sides)) {
      writeFileSync(join(project, file), JSON.stringify(config));
      const run = spawnSync(process.execPath, [tsc, '-p', file], { cwd: project, encoding: 'utf8' });
      expect(`${run.stdout}${run.stderr}`, file).toBe('');
      expect(run.status).toBe(0);
    }
  }, 180_000);
});

