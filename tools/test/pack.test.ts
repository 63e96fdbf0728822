/**
 * Issue 19 item 1 (publishable packages) and item 2 (the scaffolder's bad-input paths), fast enough
 * for `npm test`: every workspace package packs into a tarball of built JS + `.d.ts` with an exports
 * map; those tarballs type-check in a project that knows nothing of our tsconfig (TypeScript 5.x,
 * Workers types; DOM types for the client) and bundle for the browser with esbuild. The full first
 * hour (install, TypeScript 7, the project's own tests, npm start) is tools/e2e (`npm run test:e2e`).
 *
 * | Issue 19 item | Test |
 * |---|---|
 * | 1: JS + .d.ts, exports map, npm pack | `packs every workspace package …`, `each tarball's exports …` |
 * | 1: no knowledge of our tsconfig, TS 5.x, Workers + DOM tsconfigs | `the tarballs type-check …` |
 * | 1: esbuild for the browser side | `the client entry bundles for the browser …` |
 * | 2: scaffolder bad input | `create-lumenize refuses …` |
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packAll, repo, rewriteDts, tarballName, workspacePackages } from '../../scripts/pack-packages.mjs';
import { scaffold } from '../../packages/create-lumenize/src/scaffold.mjs';
import { parseCliArgs } from '../../packages/create-lumenize/src/args.mjs';

interface Manifest {
  packages: Array<{ name: string; version: string; file: string; dependencies: Record<string, string> }>;
  scaffolder?: { name: string; version: string; file: string };
}

const scratch = mkdtempSync(join(tmpdir(), 'lmz-pack-'));
const out = join(scratch, 'packages');
let manifest: Manifest;

/** Unpacks a tarball into node_modules/<name> of `project` (npm's own layout: package/ stripped). */
function unpack(project: string, name: string, file: string): string {
  const dir = join(project, 'node_modules', name);
  mkdirSync(dir, { recursive: true });
  const tar = spawnSync('tar', ['-xzf', join(out, file), '-C', dir, '--strip-components=1']);
  expect(tar.status).toBe(0);
  return dir;
}

function tarList(file: string): string[] {
  const r = spawnSync('tar', ['-tzf', join(out, file)], { encoding: 'utf8' });
  return r.stdout.trim().split('\n').map((l) => l.replace(/^package\//, ''));
}

function tsc(project: string, config: string): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '-p', config], { cwd: project, encoding: 'utf8' });
  return { status: r.status, output: r.stdout + r.stderr };
}

beforeAll(async () => {
  manifest = (await packAll({ outDir: out, log: () => {} })) as Manifest;
}, 180_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('publishable packages', () => {
  it('packs every workspace package, the scaffolder last', () => {
    // Every @lumenize/* package with an exports map (a package without one is not a library yet).
    const names = workspacePackages()
      .filter((p: { pkg: { name: string; exports?: unknown } }) => p.pkg.name.startsWith('@lumenize/') && p.pkg.exports)
      .map((p: { pkg: { name: string } }) => p.pkg.name);
    expect(manifest.packages.map((p) => p.name).sort()).toEqual(names.sort());
    expect(names).toEqual(expect.arrayContaining(['@lumenize/mesh', '@lumenize/auth', '@lumenize/utils', '@lumenize/debug', '@lumenize/structured-clone', '@lumenize/rpc']));
    for (const p of manifest.packages) expect(existsSync(join(out, p.file))).toBe(true);
    expect(manifest.scaffolder?.file).toBe('create-lumenize-0.1.0.tgz');
  });

  it("each tarball's exports map points at built JS and .d.ts it contains, and ships no .ts source", () => {
    for (const p of manifest.packages) {
      const files = tarList(p.file);
      const pkg = JSON.parse(spawnSync('tar', ['-xzOf', join(out, p.file), 'package/package.json'], { encoding: 'utf8' }).stdout);
      expect(pkg.name).toBe(p.name);
      expect(Object.keys(pkg.exports)).toContain('.');
      for (const conditions of Object.values(pkg.exports) as Array<Record<string, string>>) {
        expect(Object.keys(conditions)).toEqual(['types', 'import', 'default']);
        for (const target of Object.values(conditions)) expect(files, `${p.name}: ${target}`).toContain(target.replace(/^\.\//, ''));
      }
      expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')), p.name).toEqual([]);
      expect(pkg.devDependencies).toBeUndefined();
      // Peer and optional dependencies travel as declared (workspace ones pinned).
      const source = workspacePackages().find((w: { pkg: { name: string } }) => w.pkg.name === p.name)!.pkg;
      expect(Object.keys(pkg.peerDependencies ?? {})).toEqual(Object.keys(source.peerDependencies ?? {}));
      expect(pkg.peerDependenciesMeta).toEqual(source.peerDependenciesMeta);
      // Workspace dependencies are pinned to the packed versions.
      for (const [dep, range] of Object.entries(pkg.dependencies ?? {})) {
        const packed = manifest.packages.find((m) => m.name === dep);
        if (packed) expect(range).toBe(packed.version);
      }
    }
  });

  it('declarations name no .ts file and no Node type', () => {
    const project = join(scratch, 'dts');
    for (const p of manifest.packages) {
      const dir = unpack(project, p.name, p.file);
      const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
      for (const file of walk(join(dir, 'types'))) {
        const text = readFileSync(file, 'utf8');
        expect(text, file).not.toMatch(/from ['"]\.{1,2}\/[^'"]*\.ts['"]/);
        expect(text, file).not.toMatch(/NodeJS\.|reference types="node"|from ['"]node:/);
      }
    }
  });

  it('the tarballs type-check with TypeScript 5.x in a project that knows nothing of our tsconfig (Workers and DOM)', () => {
    const project = join(scratch, 'consumer');
    for (const p of manifest.packages) unpack(project, p.name, p.file);
    // Third-party types the packages name (Workers types) come from the workspace install.
    mkdirSync(join(project, 'node_modules/@cloudflare'), { recursive: true });
    symlinkSync(join(repo, 'node_modules/@cloudflare/workers-types'), join(project, 'node_modules/@cloudflare/workers-types'));
    // So do the packages' own third-party dependencies, exactly those their package.json files declare.
    const thirdParty = new Set(manifest.packages.flatMap((p) => Object.keys(p.dependencies).filter((d) => !d.startsWith('@lumenize/'))));
    for (const dep of thirdParty) {
      mkdirSync(join(project, 'node_modules', dep, '..'), { recursive: true });
      if (!existsSync(join(project, 'node_modules', dep))) symlinkSync(join(repo, 'node_modules', dep), join(project, 'node_modules', dep));
    }
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    mkdirSync(join(project, 'src'));
    mkdirSync(join(project, 'web'));
    writeFileSync(
      join(project, 'src/worker.ts'),
      [
        "import { LumenizeDO, mesh, createLumenizeRouter } from '@lumenize/mesh';",
        "import { LumenizeAuth, createAuthRoutes } from '@lumenize/auth';",
        "import { getDOStub } from '@lumenize/utils';",
        "import { debug } from '@lumenize/debug';",
        "import { stringify } from '@lumenize/structured-clone';",
        "export { LumenizeClientGateway } from '@lumenize/mesh';",
        'export class Counter extends LumenizeDO {',
        '  @mesh',
        "  increment(): number { const n = (this.ctx.storage.kv.get<number>('n') ?? 0) + 1; this.ctx.storage.kv.put('n', n); return n; }",
        '}',
        'export class Auth extends LumenizeAuth {}',
        "export const used = [createLumenizeRouter, createAuthRoutes, getDOStub, debug('app'), stringify];",
      ].join('\n'),
    );
    writeFileSync(
      join(project, 'web/main.ts'),
      [
        "import { LumenizeClient, type ConnectionState } from '@lumenize/mesh/client';",
        "import { stringify } from '@lumenize/structured-clone';",
        'class App extends LumenizeClient {}',
        "const state: ConnectionState = 'connecting';",
        "console.log(new App({ instanceName: 'user.tab', accessToken: 'token' }), state, stringify(1));",
      ].join('\n'),
    );
    // Deliberately plain configs: lib es2022 (no esnext.disposable), skipLibCheck off.
    const base = { target: 'es2022', module: 'es2022', moduleResolution: 'bundler', strict: true, noEmit: true, skipLibCheck: false };
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: { ...base, lib: ['es2022'], types: ['@cloudflare/workers-types'] }, include: ['src'] }));
    writeFileSync(join(project, 'tsconfig.web.json'), JSON.stringify({ compilerOptions: { ...base, lib: ['es2022', 'dom', 'dom.iterable'], types: [] }, include: ['web'] }));
    expect(tsc(project, 'tsconfig.json')).toEqual({ status: 0, output: '' });
    expect(tsc(project, 'tsconfig.web.json')).toEqual({ status: 0, output: '' });
  }, 120_000);

  it('the client entry bundles for the browser with esbuild, without Workers-only imports', async () => {
    const project = join(scratch, 'consumer');
    const result = await build({
      stdin: { contents: "import { LumenizeClient } from '@lumenize/mesh/client'; export class App extends LumenizeClient {}", resolveDir: project, loader: 'ts' },
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      logLevel: 'silent',
    });
    const js = result.outputFiles[0]!.text;
    expect(js).toMatch(/App = class extends LumenizeClient|class App extends LumenizeClient/);
    expect(js).not.toMatch(/from\s*["']cloudflare:|from\s*["']node:/);
  });

  it('the scaffolder tarball carries both templates and the package tarballs', () => {
    const files = tarList(manifest.scaffolder!.file);
    expect(files).toEqual(expect.arrayContaining(['bin/create-lumenize.mjs', 'templates/minimal/src/counter-do.ts', 'templates/minimal/test/app.test.ts', 'templates/docs-editor/src/worker.ts', 'templates/docs-editor/web/main.ts', 'templates/common/gitignore', 'packages/manifest.json']));
    for (const p of manifest.packages) expect(files).toContain(`packages/${p.file}`);
    // The template's own web/tsconfig.json (standalone) wins over the demo's (which extends this repo's base).
    const webConfig = spawnSync('tar', ['-xzOf', join(out, manifest.scaffolder!.file), 'package/templates/docs-editor/web/tsconfig.json'], { encoding: 'utf8' }).stdout;
    expect(webConfig).toContain('"lib"');
    expect(webConfig).not.toContain('tsconfig.base.json');
  });

  it('rewriteDts points relative .ts specifiers at .js and pulls in the disposable lib where needed', () => {
    expect(rewriteDts("export { a } from './a.ts';\nimport type { B } from \"../b/index.ts\";\nexport * from 'jose';\n")).toBe(
      "export { a } from './a.js';\nimport type { B } from \"../b/index.js\";\nexport * from 'jose';\n",
    );
    expect(rewriteDts('export declare class C { [Symbol.dispose](): void; }')).toBe('/// <reference lib="esnext.disposable" />\nexport declare class C { [Symbol.dispose](): void; }');
    expect(tarballName('@lumenize/structured-clone', '1.2.3')).toBe('lumenize-structured-clone-1.2.3.tgz');
  });
});

describe('create-lumenize', () => {
  const target = (name: string) => join(scratch, 'apps', name);

  it('writes the minimal template with @lumenize/* from the tarballs (and their dependencies) by file', async () => {
    const dir = target('my-app');
    const result = await scaffold({ target: dir, template: 'minimal', packages: out, install: false });
    expect(result).toEqual({ target: dir, name: 'my-app', template: 'minimal', source: 'tarballs' });
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    expect(pkg.name).toBe('my-app');
    // mesh needs utils, debug and structured-clone: all installed from the tarballs, nested ones via overrides.
    expect(Object.keys(pkg.dependencies)).toEqual(['@lumenize/auth', '@lumenize/debug', '@lumenize/mesh', '@lumenize/structured-clone', '@lumenize/utils']);
    expect(pkg.dependencies['@lumenize/mesh']).toBe('file:lumenize-packages/lumenize-mesh-0.1.0.tgz');
    expect(pkg.overrides['@lumenize/utils']).toBe('$@lumenize/utils');
    expect(existsSync(join(dir, 'lumenize-packages/lumenize-mesh-0.1.0.tgz'))).toBe(true);
    expect(readFileSync(join(dir, 'wrangler.jsonc'), 'utf8')).toContain('"name": "my-app"');
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toContain('https://deploy.workers.cloudflare.com/?url=https://github.com/<you>/my-app');
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toMatch(/^\.dev\.vars$/m);
    expect(existsSync(join(dir, '.dev.vars'))).toBe(false);
  });

  it('writes docs-editor from the demo, with the DEV-ONLY mailbox moved out of wrangler.jsonc into .dev.vars', async () => {
    const dir = target('docs');
    await scaffold({ target: dir, template: 'docs-editor', packages: out, install: false, repo: 'https://github.com/me/docs' });
    const wrangler = readFileSync(join(dir, 'wrangler.jsonc'), 'utf8');
    expect(wrangler).toContain('"name": "docs"');
    expect(wrangler).toContain('"service": "docs"');
    expect(wrangler).not.toMatch(/"DEMO_DEV_MAILBOX":\s*"true"/);
    expect(readFileSync(join(dir, '.dev.vars'), 'utf8')).toContain('DEMO_DEV_MAILBOX="true"');
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toContain('?url=https://github.com/me/docs');
    expect(readFileSync(join(dir, 'web/tsconfig.json'), 'utf8')).not.toContain('tsconfig.base.json');
  });

  it('points at the registry when no tarballs are given', async () => {
    const dir = target('from-registry');
    const result = await scaffold({ target: dir, template: 'minimal', install: false });
    expect(result.source).toBe('registry');
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    expect(pkg.dependencies['@lumenize/mesh']).toBe('^0.1.0');
    expect(pkg.overrides).toBeUndefined();
  });

  describe('refuses bad input with a ScaffoldError code, writing nothing', () => {
    const refuse = async (options: Parameters<typeof scaffold>[0]) => {
      const error = (await scaffold({ install: false, ...options }).catch((e: unknown) => e)) as Error & { code: string };
      expect(error.name).toBe('ScaffoldError');
      return error;
    };

    it('an unknown template', async () => {
      const error = await refuse({ target: target('t1'), template: 'react' });
      expect(error.code).toBe('UNKNOWN_TEMPLATE');
      expect(error.message).toContain('minimal, docs-editor');
      expect(existsSync(target('t1'))).toBe(false);
    });

    it('a folder name that cannot name a Worker', async () => {
      const error = await refuse({ target: target('My App!') });
      expect(error.code).toBe('INVALID_NAME');
      expect(existsSync(target('My App!'))).toBe(false);
    });

    it('a folder that is not empty, leaving its files as they were', async () => {
      const dir = target('taken');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'notes.txt'), 'mine');
      const error = await refuse({ target: dir });
      expect(error.code).toBe('TARGET_NOT_EMPTY');
      expect(readdirSync(dir)).toEqual(['notes.txt']);
      expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine');
    });

    it('a tarball folder without manifest.json', async () => {
      const error = await refuse({ target: target('t2'), packages: scratch });
      expect(error.code).toBe('PACKAGES_NOT_FOUND');
      expect(existsSync(target('t2'))).toBe(false);
    });

    it('a tarball folder that lacks a package the template needs', async () => {
      const partial = join(scratch, 'partial');
      mkdirSync(partial, { recursive: true });
      writeFileSync(join(partial, 'manifest.json'), JSON.stringify({ packages: manifest.packages.filter((p) => p.name !== '@lumenize/utils') }));
      const error = await refuse({ target: target('t3'), packages: partial });
      expect(error.code).toBe('PACKAGE_MISSING');
      expect(error.message).toContain('@lumenize/utils');
    });

    it('command lines without exactly one folder, or with an unknown option', () => {
      const usage = (argv: string[]) => {
        try {
          parseCliArgs(argv);
        } catch (error) {
          return error as Error & { code: string };
        }
        throw new Error('expected a ScaffoldError');
      };
      expect(usage([]).code).toBe('USAGE');
      expect(usage(['a', 'b']).code).toBe('USAGE');
      expect(usage(['a', '--colour']).code).toBe('USAGE');
      expect(parseCliArgs(['my-app', '--template', 'docs-editor', '--no-install'])).toMatchObject({ target: 'my-app', template: 'docs-editor', install: false });
    });
  });
});
