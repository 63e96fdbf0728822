/**
 * Issue 19 "must show": packs every package, scaffolds both templates into a temp folder outside the
 * workspace with `npx` on the packed create-lumenize tarball, installs from the tarballs (the registry
 * only for third-party packages), type-checks with the project's TypeScript 7 and with TypeScript 5.x,
 * runs the project's own `npm test`, validates the wrangler settings with `wrangler deploy --dry-run`,
 * and runs `npm start` until it serves the page and its bundle, then stops it. While it serves, real
 * Chromium loads the page signed out: no POST /auth/refresh-token (so no 401 in the console) and no
 * console error; in the minimal template it then signs in through the form and the printed link
 * (tools/e2e/browser-sign-in.ts). Without Chromium those browser checks are skipped loudly; under
 * CI=true they must run.
 * Then replays docs/getting-started.md step by step (below), with the same browser checks where it runs `npm start`.
 * Run: `npm run test:e2e` (about 10 minutes on a loaded 2-core machine; the guide replay is ~3 of them).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packAll, repo } from '../../scripts/pack-packages.mjs';
import { guideSteps, replayProblems } from '../test/guide-steps.ts';
import { freePort, startServer, type StartedServer } from '../wrangler-dev.ts';
import { chromiumPath, closeBrowser, signedOutLoad, signInThroughPage } from './browser-sign-in.ts';

if (!chromiumPath) {
  if (process.env.CI === 'true') throw new Error('No Chromium found under CI=true: the first-hour browser checks must run (apt-get install -y chromium)');
  console.warn('\n##  NO CHROMIUM FOUND: the first-hour browser checks (signed-out load, sign-in) are SKIPPED.  ##\n');
}

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

afterAll(async () => {
  await closeBrowser();
  rmSync(scratch, { recursive: true, force: true });
}, 60_000);

/** Issue 19: a signed-out page load asks for no token (no 401 logged) and logs no error at all. */
async function expectQuietSignedOutLoad(server: StartedServer): Promise<void> {
  const load = await signedOutLoad(server.url);
  expect(load.requests).toContain('GET /app.js');
  expect(load.requests).not.toContain('POST /auth/refresh-token');
  expect(load.problems).toEqual([]);
}

/** Signs in through the page and the link printed by npm start: the hint is set and the token request succeeds. */
async function expectSignInThroughPage(server: StartedServer, email: string): Promise<string> {
  const signedIn = await signInThroughPage(server.url, email, server.output);
  expect(signedIn.hint).toBe(true);
  expect(signedIn.refreshStatuses.length).toBeGreaterThanOrEqual(1);
  expect(signedIn.refreshStatuses.every((status) => status === 200), `refresh statuses ${signedIn.refreshStatuses}`).toBe(true);
  expect(signedIn.problems).toEqual([]);
  return signedIn.heading;
}

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
      if (chromiumPath) {
        await expectQuietSignedOutLoad(server);
        // The docs-editor template is apps/demo, whose own browser tests sign in through its dev mailbox.
        if (template === 'minimal') expect(await expectSignInThroughPage(server, 'first-hour@example.com')).toBe('Shared counter');
      }
      expect(server.output()).not.toContain('ENOTFOUND');
    } finally {
      await server.stop();
    }
  });
});

/**
 * Issue 19 item 3: docs/getting-started.md replayed step by step (tools/test/guide-steps.ts reads
 * it). Each step's actions run in page order: `file=` blocks are written into the project, `sh`
 * lines run (only `npm create lumenize@latest` becomes `npx` on the packed scaffolder, since nothing
 * is published). After every step the project type-checks (`npm run typecheck`, TypeScript 7);
 * `npm test` must pass and `npm start` must serve the page where a step says to run them: in
 * Chromium, a signed-out load asks for no token and logs nothing, and the link printed in the
 * terminal signs in.
 */
describe('the guide (docs/getting-started.md), replayed step by step', () => {
  const steps = guideSteps();
  const home = join(scratch, 'guide');
  let cwd = home;
  let project = '';

  async function serveAndSignIn(): Promise<void> {
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
      expect(await (await fetch(server.url)).text()).toContain('<script type="module" src="/app.js">');
      expect((await fetch(`${server.url}/app.js`)).status).toBe(200);
      if (chromiumPath) {
        await expectQuietSignedOutLoad(server);
        // The guide's claim: in local development the sign-in link lands in the terminal; following it signs in.
        await expectSignInThroughPage(server, 'guide@example.com');
      } else {
        // The guide's claim: in local development the sign-in link lands in the terminal.
        const sent = await fetch(`${server.url}/auth/email-magic-link`, { method: 'POST', body: JSON.stringify({ email: 'guide@example.com' }) });
        expect(sent.status).toBe(200);
        // The Worker's log line reaches wrangler's stdout after the response: wait for it (a liveness
        // bound, not a timing assertion) before stopping the server.
        for (const deadline = Date.now() + 30_000; !server.output().includes('link for guide@example.com'); ) {
          if (Date.now() > deadline) throw new Error(`no sign-in link in npm start's output within 30 s:\n${server.output()}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    } finally {
      await server.stop();
    }
    expect(server.output()).not.toContain('ENOTFOUND');
  }

  it('the guide is replayable: numbered steps, known commands, files inside the project', () => {
    expect(replayProblems(steps)).toEqual([]);
    expect(steps.flatMap((s) => s.actions).filter((a) => a.kind === 'write').length).toBeGreaterThanOrEqual(8);
  });

  it.each(steps.map((s) => [`${s.n}. ${s.title}`, s] as const))('step %s', async (_name, step) => {
    mkdirSync(home, { recursive: true });
    for (const action of step.actions) {
      if (action.kind === 'write') {
        expect(project, `line ${action.line}: a file before the project exists`).not.toBe('');
        mkdirSync(dirname(join(project, action.path)), { recursive: true });
        writeFileSync(join(project, action.path), action.content);
        continue;
      }
      const [tool, ...args] = action.command.split(/\s+/);
      if (action.command.startsWith('npm create lumenize@latest ')) {
        const [folder, dashes, ...rest] = args.slice(2);
        if (dashes !== undefined) expect(dashes).toBe('--');
        ok(cwd, 'npx', ['--yes', `--package=${scaffolder}`, 'create-lumenize', folder!, ...rest]);
      } else if (tool === 'cd') {
        cwd = join(cwd, args[0]!);
        project = cwd;
      } else if (tool === 'rm') {
        for (const file of args) {
          expect(existsSync(join(project, file)), `line ${action.line}: ${file} exists to delete`).toBe(true);
          rmSync(join(project, file));
        }
      } else if (action.command === 'npm test') {
        expect(ok(cwd, 'npm', ['test'])).toMatch(/Tests\s+\d+ passed/);
      } else if (action.command === 'npm start') {
        await serveAndSignIn();
      } else if (action.command === 'npm run typecheck') {
        ok(cwd, 'npm', ['run', 'typecheck']);
      } else {
        throw new Error(`line ${action.line}: the replay does not know '${action.command}'`);
      }
    }
    // Every step that changed the project leaves it type-checking (the others leave it as it was).
    expect(project).not.toBe('');
    if (step.actions.some((a) => a.kind === 'write' || /^(rm|npm create) /.test(a.command))) ok(project, 'npm', ['run', 'typecheck']);
  });
});
