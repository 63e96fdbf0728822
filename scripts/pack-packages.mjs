#!/usr/bin/env node
// Builds every publishable workspace package into a staging folder and packs it with `npm pack`.
// The workspace package.json files stay as they are (exports -> ./src/*.ts for development); the
// tarballs carry built JS (esbuild, target es2022: decorators and `using` lowered) and `.d.ts`
// (one tsc --emitDeclarationOnly over all packages), so a user's project never compiles our sources.
//
// Usage: node scripts/pack-packages.mjs [--out <dir>] [--quiet]     (default: artifacts/packages)
// Writes <out>/<name>-<version>.tgz for each package and <out>/manifest.json:
//   { packages: [{ name, version, file, dependencies }] }
// create-lumenize is packed last, with the docs-editor template taken from apps/demo and the other
// tarballs embedded (packages/), so `npx <its tarball> my-app` works while nothing is published.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** Files of apps/demo that make the docs-editor template (the rest of the template is its own). */
export const DEMO_TEMPLATE_FILES = ['src', 'web', 'scripts/prepare.mjs', 'wrangler.jsonc'];

/** Workspace packages that are published: every non-private package under packages/. */
export function workspacePackages() {
  const dir = join(repo, 'packages');
  return readdirSync(dir)
    .filter((name) => existsSync(join(dir, name, 'package.json')))
    .map((name) => ({ dir: join(dir, name), folder: name, pkg: JSON.parse(readFileSync(join(dir, name, 'package.json'), 'utf8')) }))
    .filter(({ pkg }) => !pkg.private);
}

/** `@lumenize/mesh` 0.1.0 -> `lumenize-mesh-0.1.0.tgz`, the name `npm pack` gives. */
export function tarballName(name, version) {
  return `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`;
}

/** The source file of an exports entry: `"./src/x.ts"` or `{ import: "./src/x.ts" }`. */
function entrySource(value) {
  return typeof value === 'string' ? value : (value.import ?? value.default);
}

/** `./src/client/index.ts` -> `client/index` (the path of the built file, without extension). */
function entryStem(source) {
  return source.replace(/^\.\/src\//, '').replace(/\.ts$/, '');
}

/**
 * Makes an emitted declaration file stand on its own in a user's project: relative `.ts` specifiers
 * point at `.js` (resolved to the `.d.ts` beside it), and a file that names `Symbol.dispose` or
 * `Disposable` pulls in that lib itself, so a tsconfig with `lib: ["es2022"]` still type-checks it.
 */
export function rewriteDts(text) {
  const out = text.replace(/(['"])(\.{1,2}\/[^'"\n]*?)\.ts\1/g, '$1$2.js$1');
  return /Symbol\.(async)?[dD]ispose|\b(Async)?Disposable\b/.test(out) ? `/// <reference lib="esnext.disposable" />\n${out}` : out;
}

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NPM_CONFIG_UPDATE_NOTIFIER: 'false' } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

function walk(dir) {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
}

/** One tsc program over every package's src: declarations mirror packages/<folder>/src. */
function emitDeclarations(packages, staging, log) {
  const out = join(staging, '.types');
  const config = join(staging, 'tsconfig.types.json');
  writeFileSync(
    config,
    JSON.stringify({
      extends: join(repo, 'tsconfig.base.json'),
      compilerOptions: {
        noEmit: false,
        declaration: true,
        emitDeclarationOnly: true,
        rootDir: join(repo, 'packages'),
        outDir: out,
        // Node types only because a few sources pass `number | undefined` to clearTimeout; no Node
        // type reaches the emitted declarations (checked by tools/test/pack.test.ts).
        types: ['@cloudflare/workers-types', 'node'],
        typeRoots: [join(repo, 'node_modules'), join(repo, 'node_modules/@types')],
      },
      include: packages.map((p) => join(p.dir, 'src/**/*.ts')),
    }),
  );
  const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', config], { cwd: staging, encoding: 'utf8' });
  // Exit 2: type errors, declarations still written. They are `npm run typecheck`'s to report (and
  // fail on); packing goes on so a half-finished package elsewhere does not block every tarball.
  if (r.status === 2) console.error(`  [pack] declarations written despite type errors in the sources:\n${r.stdout.trim().split('\n').map((l) => `    ${l}`).join('\n')}`);
  else if (r.status !== 0) throw new Error(`tsc (declarations) failed:\n${r.stdout}${r.stderr}`);
  return out;
}

async function buildJs(p, target) {
  const { build } = await import('esbuild');
  const entryPoints = Object.fromEntries(Object.values(p.pkg.exports).map((v) => [entryStem(entrySource(v)), join(p.dir, entrySource(v))]));
  await build({
    entryPoints,
    outdir: join(target, 'dist'),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    // Other packages stay imports (npm dependencies); workerd's and Node's built-in modules too.
    packages: 'external',
    external: ['cloudflare:*', 'node:*'],
    keepNames: true,
    sourcemap: true,
    logLevel: 'warning',
    tsconfigRaw: { compilerOptions: { experimentalDecorators: false, useDefineForClassFields: true } },
  });
}

/** The package.json that goes into the tarball. */
export function publishManifest(pkg, versions) {
  const exports = {};
  for (const [sub, value] of Object.entries(pkg.exports)) {
    const stem = entryStem(entrySource(value));
    exports[sub] = { types: `./types/${stem}.d.ts`, import: `./dist/${stem}.js`, default: `./dist/${stem}.js` };
  }
  const pin = (deps) =>
    deps && Object.fromEntries(Object.entries(deps).map(([name, range]) => [name, versions.get(name) ?? range]));
  const out = {
    name: pkg.name,
    version: pkg.version,
    description: pkg.description,
    type: 'module',
    license: pkg.license,
    ...(pkg.sideEffects !== undefined ? { sideEffects: pkg.sideEffects } : {}),
    exports,
    types: exports['.'].types,
    files: ['dist', 'types', 'README.md'],
    ...(pkg.dependencies && Object.keys(pkg.dependencies).length ? { dependencies: pin(pkg.dependencies) } : {}),
    ...(pkg.peerDependencies ? { peerDependencies: pin(pkg.peerDependencies) } : {}),
    ...(pkg.peerDependenciesMeta ? { peerDependenciesMeta: pkg.peerDependenciesMeta } : {}),
    ...(pkg.optionalDependencies ? { optionalDependencies: pin(pkg.optionalDependencies) } : {}),
  };
  return out;
}

/** Packs every package into `outDir`; returns the manifest. */
export async function packAll({ outDir = join(repo, 'artifacts/packages'), log = console.log } = {}) {
  const packages = workspacePackages().filter((p) => p.pkg.name.startsWith('@lumenize/') && p.pkg.exports);
  const scaffolder = workspacePackages().find((p) => p.pkg.name === 'create-lumenize');
  const staging = join(outDir, '.staging');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const versions = new Map(packages.map((p) => [p.pkg.name, p.pkg.version]));

  const types = emitDeclarations(packages, staging, log);
  const manifest = { packages: [] };
  for (const p of packages) {
    const target = join(staging, p.folder);
    mkdirSync(target, { recursive: true });
    await buildJs(p, target);
    const from = join(types, p.folder, 'src');
    for (const file of walk(from)) {
      const dest = join(target, 'types', relative(from, file));
      mkdirSync(dirname(dest), { recursive: true });
      writeFileSync(dest, rewriteDts(readFileSync(file, 'utf8')));
    }
    if (existsSync(join(p.dir, 'README.md'))) cpSync(join(p.dir, 'README.md'), join(target, 'README.md'));
    const published = publishManifest(p.pkg, versions);
    writeFileSync(join(target, 'package.json'), JSON.stringify(published, null, 2) + '\n');
    run('npm', ['pack', '--silent', '--pack-destination', outDir], target);
    const file = tarballName(p.pkg.name, p.pkg.version);
    if (!existsSync(join(outDir, file))) throw new Error(`npm pack did not write ${file}`);
    manifest.packages.push({ name: p.pkg.name, version: p.pkg.version, file, dependencies: published.dependencies ?? {} });
    log(`  packed ${file}`);
  }

  if (scaffolder) {
    const target = join(staging, scaffolder.folder);
    cpSync(scaffolder.dir, target, { recursive: true, filter: (src) => !src.includes('/node_modules') });
    const demo = join(repo, 'apps/demo');
    // The template's own files (web/tsconfig.json, tests, README) win over the demo's.
    for (const f of DEMO_TEMPLATE_FILES) cpSync(join(demo, f), join(target, 'templates/docs-editor', f), { recursive: true, force: false });
    mkdirSync(join(target, 'packages'), { recursive: true });
    for (const entry of manifest.packages) cpSync(join(outDir, entry.file), join(target, 'packages', entry.file));
    writeFileSync(join(target, 'packages/manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    const pkg = { ...scaffolder.pkg, files: [...(scaffolder.pkg.files ?? []), 'packages'] };
    writeFileSync(join(target, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
    run('npm', ['pack', '--silent', '--pack-destination', outDir], target);
    const file = tarballName(pkg.name, pkg.version);
    manifest.scaffolder = { name: pkg.name, version: pkg.version, file };
    log(`  packed ${file}`);
  }
  writeFileSync(join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  rmSync(staging, { recursive: true, force: true });
  return manifest;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const i = process.argv.indexOf('--out');
  const outDir = i > 0 ? resolve(process.argv[i + 1]) : undefined;
  const quiet = process.argv.includes('--quiet');
  const manifest = await packAll({ outDir, log: quiet ? () => {} : console.log });
  console.log(`${manifest.packages.length + (manifest.scaffolder ? 1 : 0)} tarballs in ${relative(process.cwd(), outDir ?? join(repo, 'artifacts/packages')) || '.'}`);
}
