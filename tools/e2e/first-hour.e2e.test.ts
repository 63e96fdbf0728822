/**
 * Issue 19 "must show": packs every package, scaffolds both templates into a temp folder outside the
 * workspace with `npx` on the packed create-lumenize tarball, installs from the tarballs (the registry
 * only for third-party packages), type-checks with the project's TypeScript 7 and with TypeScript 5.x,
 * runs the project's own `npm test`, validates the wrangler settings with `wrangler deploy --dry-run`,
 * and runs `npm start` until it serves the page and its bundle, then stops it.
 * Run: `npm run test:e2e` (about 5 minutes on 2 cores).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packAll, repo } from '../../scripts/pack-packages.mjs';
import { freePort, startServer } from '../wrangler-dev.ts';

const scratch = mkdtempSync(join(tmpdir(), 'lmz-first-hour-'));
const packages = join(scratch, 'packages');
let scaffolder = '';

/** A fresh user's shell: none of the npm variables of the `npm run` that started this test. */
function userEnv(cwd: string): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  return { ...env, INIT_CWD: cwd, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', NO_COLOR: '1', CI: 'true' };
}

function sh(cwd: string, command: string, args: string[]): { status: number | null; output: string } {
  const r = spawnSync(command, args, { cwd, env: userEnv(cwd), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

function ok(cwd: string, command: string, args: string[]): string {
  const r = sh(cwd, command, args);
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed in ${cwd} (exit ${r.status}):\n${r.output}`);
  return r.output;
}

beforeAll(async () => {
  const manifest = (await packAll({ outDir: packages, log: () => {} })) as { scaffolder?: { file: string } };
  scaffolder = join(packages, manifest.scaffolder!.file);
}, 300_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.each(['minimal', 'docs-editor'])('template %s, outside the workspace', (template) => {
  const app = join(scratch, `my-${template}`);

  it('scaffolds with npx on the packed tarball and installs from the embedded tarballs', () => {
    expect(app.startsWith(repo)).toBe(false);
    const out = ok(scratch, 'npx', ['--yes', `--package=${scaffolder}`, 'create-lumenize', app, '--template', template]);
    expect(out).toContain('@lumenize/* from the packed tarballs');
    const lock = readFileSync(join(app, 'package-lock.json'), 'utf8');
    // Every @lumenize/* package came from a tarball in the project, none from the registry.
    const resolved = [...lock.matchAll(/"node_modules\/(@lumenize\/[^"]+)":\s*\{[^}]*?"resolved":\s*"([^"]+)"/g)].map((m) => [m[1], m[2]]);
    expect(resolved.length).toBeGreaterThanOrEqual(4);
    for (const [, url] of resolved) expect(url).toMatch(/^file:lumenize-packages\//);
    expect(existsSync(join(app, 'node_modules/@lumenize/mesh/dist/index.js'))).toBe(true);
  });

  it('type-checks with its own TypeScript 7 and with TypeScript 5.x; no error ever lands in @lumenize', () => {
    expect(JSON.parse(readFileSync(join(app, 'node_modules/typescript/package.json'), 'utf8')).version).toMatch(/^7\./);
    ok(app, 'npm', ['run', 'typecheck']);
    const ts5 = join(repo, 'node_modules/typescript/bin/tsc');
    expect(JSON.parse(readFileSync(join(repo, 'node_modules/typescript/package.json'), 'utf8')).version).toMatch(/^5\./);
    ok(app, process.execPath, [ts5, '--noEmit', '-p', '.']);
    ok(app, process.execPath, [ts5, '--noEmit', '-p', 'web']);
    // With library checking on, third-party declarations may complain; ours may not.
    for (const strict of [sh(app, 'npx', ['tsc', '--noEmit', '--skipLibCheck', 'false']), sh(app, process.execPath, [ts5, '--noEmit', '--skipLibCheck', 'false'])]) {
      expect(strict.output).not.toContain('node_modules/@lumenize/');
    }
  });

  it("passes its own npm test offline (inside workerd)", () => {
    const out = ok(app, 'npm', ['test']);
    expect(out).toMatch(/Tests\s+\d+ passed/);
    expect(existsSync(join(app, '.dev.vars'))).toBe(true);
    expect(readFileSync(join(app, '.dev.vars'), 'utf8')).toMatch(/^JWT_PUBLIC_KEY_BLUE=/m);
  });

  it('has wrangler settings a deploy accepts (wrangler deploy --dry-run)', () => {
    const out = ok(app, 'npx', ['wrangler', 'deploy', '--dry-run', '--outdir', 'dist/worker']);
    expect(out).toContain('--dry-run: exiting now.');
    expect(existsSync(join(app, 'dist/worker/worker.js'))).toBe(true);
    expect(readFileSync(join(app, 'README.md'), 'utf8')).toContain('https://deploy.workers.cloudflare.com/button');
  });

  it('serves the page and its bundle with npm start, then stops', async () => {
    const port = await freePort();
    const inspector = await freePort();
    const server = await startServer({
      what: 'npm start',
      command: 'npm',
      args: ['start', '--', '--port', String(port), '--inspector-port', String(inspector)],
      cwd: app,
      env: userEnv(app) as Record<string, string>,
      url: `http://127.0.0.1:${port}`,
      timeoutMs: 120_000,
      ready: async (url) => (await fetch(url, { signal: AbortSignal.timeout(5_000) })).status === 200,
    });
    try {
      const page = await fetch(server.url);
      expect(await page.text()).toContain('<script type="module" src="/app.js">');
      const bundle = await fetch(`${server.url}/app.js`);
      expect(bundle.status).toBe(200);
      expect(await bundle.text()).toContain('LumenizeClient');
      expect(server.output()).not.toContain('ENOTFOUND');
    } finally {
      await server.stop();
    }
  });
});

/**
 * Issue 19 item 3: docs/getting-started.md replayed. Step 0's commands run as written (only
 * `npm create lumenize@latest` becomes `npx` on the packed scaffolder, since nothing is published),
 * then the project is checked against what each later step says: the files it names exist, the
 * classes its code declares exist with the same base class, and step 2's bindings are the project's.
 */
describe('the guide (docs/getting-started.md), replayed', () => {
  const guide = readFileSync(join(repo, 'docs/getting-started.md'), 'utf8');
  const section = (heading: RegExp) => {
    const start = guide.search(heading);
    const next = guide.slice(start + 1).search(/^## /m);
    return next < 0 ? guide.slice(start) : guide.slice(start, start + 1 + next);
  };
  const blocks = (text: string, lang: string) => [...text.matchAll(new RegExp('^```' + lang + '[^\\n]*\\n([\\s\\S]*?)^```', 'gm'))].map((m) => m[1]!);
  const home = join(scratch, 'guide');
  let project = '';

  it('step 0: create the project, npm test, npm start', async () => {
    const commands = blocks(section(/^## 0\. /m), 'sh')[0]!
      .split('\n')
      .map((l) => l.replace(/\s+#.*$/, '').trim())
      .filter(Boolean);
    expect(commands).toEqual(['npm create lumenize@latest my-docs -- --template docs-editor', 'cd my-docs', 'npm start', 'npm test']);
    let cwd = home;
    ok(scratch, 'mkdir', ['-p', home]);
    for (const command of commands) {
      const [tool, ...args] = command.split(/\s+/);
      if (tool === 'cd') {
        cwd = join(cwd, args[0]!);
      } else if (command.startsWith('npm create lumenize@latest ')) {
        const [folder, , ...rest] = args.slice(2);
        ok(cwd, 'npx', ['--yes', `--package=${scaffolder}`, 'create-lumenize', folder!, ...rest]);
      } else if (command === 'npm test') {
        expect(ok(cwd, 'npm', ['test'])).toMatch(/Tests\s+\d+ passed/);
      } else if (command === 'npm start') {
        const port = await freePort();
        const server = await startServer({
          what: 'npm start',
          command: 'npm',
          args: ['start', '--', '--port', String(port), '--inspector-port', String(await freePort())],
          cwd,
          env: userEnv(cwd) as Record<string, string>,
          url: `http://127.0.0.1:${port}`,
          timeoutMs: 120_000,
          ready: async (url) => (await fetch(url, { signal: AbortSignal.timeout(5_000) })).status === 200,
        });
        try {
          // The guide's claim: the sign-in link lands in the terminal and at /dev/mailbox.
          const sent = await fetch(`${server.url}/auth/email-magic-link`, { method: 'POST', body: JSON.stringify({ email: 'guide@example.com' }) });
          expect(sent.status).toBe(200);
          expect(await (await fetch(`${server.url}/dev/mailbox`)).text()).toContain('guide@example.com');
        } finally {
          await server.stop();
        }
        expect(server.output()).toContain('magic link for guide@example.com');
      } else {
        throw new Error(`the replay does not know the guide's command '${command}'`);
      }
    }
    project = cwd;
  });

  it('every project file the guide names exists', () => {
    const named = new Set([...guide.matchAll(/`((?:src|web|scripts)\/[\w.\-/]+\.(?:ts|mjs))`/g)].map((m) => m[1]!));
    expect(named.size).toBeGreaterThan(8);
    for (const file of named) expect(existsSync(join(project, file)), file).toBe(true);
  });

  it("every class the guide's code declares is in the project, with the same base class", () => {
    const sources = ['src', 'web'].flatMap((d) => {
      const r = spawnSync('grep', ['-rhoE', 'export class \\w+ extends \\w+', join(project, d)], { encoding: 'utf8' });
      return r.stdout.trim().split('\n');
    });
    const declared = blocks(guide, 'ts').flatMap((b) => [...b.matchAll(/^export class (\w+) extends (\w+)/gm)].map((m) => `export class ${m[1]} extends ${m[2]}`));
    expect(declared.length).toBeGreaterThanOrEqual(5);
    for (const line of declared) expect(sources, line).toContain(line);
  });

  it("step 2's wrangler.jsonc matches the project's: date, flags, assets and every binding", () => {
    const strip = (jsonc: string) => JSON.parse(jsonc.replace(/^\s*\/\/.*$/gm, '').replace(/,(\s*[}\]])/g, '$1'));
    const shown = strip(blocks(section(/^## 2\. /m), 'jsonc')[0]!);
    const real = strip(readFileSync(join(project, 'wrangler.jsonc'), 'utf8'));
    expect(shown.compatibility_date).toBe(real.compatibility_date);
    expect(shown.compatibility_flags).toEqual(real.compatibility_flags);
    expect(shown.assets).toEqual(real.assets);
    expect(real.durable_objects.bindings).toEqual(expect.arrayContaining(shown.durable_objects.bindings));
    expect(existsSync(join(project, real.assets.directory))).toBe(true);
  });
});
