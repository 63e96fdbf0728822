/**
 * Node-only acceptance items of spec/debug.md: real process.env (15), compiling against only Workers
 * or only DOM types (33), the namespace-convention check (34) and the import boundary (35).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { debug } from '../src/index.ts';
import { importSpecifiers, tsFiles } from '../../../scripts/source-files.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = resolve(here, '..');
const repo = resolve(pkg, '../..');
// Built, so this file's own planted fixtures are not read as imports by the checks it tests.
const SCOPE = ['@lumenize', ''].join('/');
const UP = ['..', '..', ''].join('/');

afterEach(() => {
  delete process.env.DEBUG;
  debug.reset();
});

describe('Node-only items', () => {
  it('15: process.env.DEBUG=A enables new loggers, and existing ones once a new logger observed it', () => {
    delete process.env.DEBUG;
    debug.reset();
    const existing = debug('A.existing');
    expect(existing.enabled).toBe(false);
    process.env.DEBUG = 'A';
    const fresh = debug('A.fresh');
    expect(fresh.enabled).toBe(true);
    expect(existing.enabled).toBe(true);
  });

  it.each([
    ['Workers types only', [join(repo, 'node_modules/@cloudflare/workers-types/index.d.ts')], []],
    ['DOM types only', [], ['ES2022', 'DOM']],
  ])('33: the sources compile with %s and no runtime dependencies', (_label, typeFiles, lib) => {
    const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
    expect(Object.keys(manifest.dependencies ?? {})).toEqual([]);
    const dir = mkdtempSync(join(tmpdir(), 'lmz-debug-types-'));
    const config = {
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: 'ES2022',
        module: 'ESNext',
        moduleResolution: 'Bundler',
        allowImportingTsExtensions: true,
        skipLibCheck: true,
        types: [],
        ...(lib.length ? { lib } : { lib: ['ES2022'] }),
      },
      files: [...typeFiles, ...tsFiles(join(pkg, 'src'))],
    };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(config));
    const tsc = join(repo, 'node_modules/typescript/bin/tsc');
    const run = spawnSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { cwd: repo, encoding: 'utf8' });
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('34: the namespace-convention check passes on the repo and fails on a planted lmz.proxyFetch.worker', () => {
    const script = join(repo, 'scripts/check-log-namespaces.mjs');
    const ok = spawnSync(process.execPath, [script, repo], { encoding: 'utf8' });
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);

    const planted = mkdtempSync(join(tmpdir(), 'lmz-ns-'));
    mkdirSync(join(planted, 'packages/fetch/src'), { recursive: true });
    writeFileSync(join(planted, 'packages/fetch/src/worker.ts'), "const log = debug('lmz.proxyFetch.worker');\n");
    const bad = spawnSync(process.execPath, [script, planted], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("'lmz.proxyFetch.worker'");

    // A well-formed namespace in the wrong package is refused too.
    writeFileSync(join(planted, 'packages/fetch/src/worker.ts'), "const log = debug('lmz.mesh.Worker');\n");
    const misplaced = spawnSync(process.execPath, [script, planted], { encoding: 'utf8' });
    expect(misplaced.status).toBe(1);
    expect(misplaced.stderr).toContain("names package 'mesh' but lives in 'fetch'");
  });

  it('35: the package sources and tests import no other @lumenize/* package', () => {
    const files = [...tsFiles(join(pkg, 'src')), ...tsFiles(join(pkg, 'test'))];
    expect(files.length).toBeGreaterThan(3);
    const offending = files.flatMap((f) => importSpecifiers(readFileSync(f, 'utf8')).filter((s) => s.startsWith(SCOPE)).map((s) => `${f}: ${s}`));
    expect(offending).toEqual([]);
  });
});

describe('dependency-direction check (scripts/check-deps.mjs)', () => {
  const script = join(repo, 'scripts/check-deps.mjs');
  function plant(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'lmz-deps-'));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return dir;
  }

  it('passes on this repository', () => {
    const run = spawnSync(process.execPath, [script, repo], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('fails when a package imports a package above it, even from a test', () => {
    const dir = plant({ 'packages/utils/test/x.test.ts': `import { LumenizeDO } from '${SCOPE}mesh';\n` });
    const run = spawnSync(process.execPath, [script, dir], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("imports '@lumenize/mesh', which is not below it");
  });

  it("fails when a package reaches into another's src/ by path or by subpath", () => {
    const dir = plant({
      'packages/mesh/src/a.ts': `import { x } from '${UP}utils/src/cors.ts';\nimport { y } from '${SCOPE}utils/src/cookies.ts';\n`,
      'packages/utils/src/index.ts': 'export {};\n',
    });
    const run = spawnSync(process.execPath, [script, dir], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('reaches into utils by path');
    expect(run.stderr).toContain("reaches inside a package ('@lumenize/utils/src/cookies.ts')");
  });
});

