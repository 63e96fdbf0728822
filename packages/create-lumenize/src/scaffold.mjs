/**
 * Writes a new Lumenize project from a template, points its @lumenize/* dependencies at packed
 * tarballs (while unpublished) or at the registry, and installs it.
 * @example await scaffold({ target: '/tmp/my-app', template: 'minimal', packages: 'artifacts/packages' });
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ScaffoldError } from './errors.mjs';

const pkgRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const templates = join(pkgRoot, 'templates');
const ownVersion = JSON.parse(readFileSync(join(pkgRoot, 'package.json'), 'utf8')).version;

export const TEMPLATES = ['minimal', 'docs-editor'];
/** The demo files the docs-editor template is made of (kept in step with scripts/pack-packages.mjs). */
const DEMO_FILES = ['src', 'web', 'scripts/prepare.mjs', 'wrangler.jsonc'];
/** Where the packed tarballs go inside the project. */
export const VENDOR_DIR = 'lumenize-packages';
/** Worker names: lowercase letters, digits and dashes, at most 63 characters. */
const NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const DEV_MAILBOX_VAR = /"DEMO_DEV_MAILBOX":\s*"true"/;
const DEV_MAILBOX_MOVED = '// DEMO_DEV_MAILBOX="true" is in the git-ignored .dev.vars (local development only).';
const TEXT_FILES = /\.(json|jsonc|md|html|ts|mjs|css)$/;

/**
 * @param {{ target: string, template?: string, packages?: string, install?: boolean, repo?: string, log?: (line: string) => void }} options
 * @returns {Promise<{ target: string, name: string, template: string, source: 'tarballs' | 'registry' }>}
 */
export async function scaffold(options) {
  const { target, template = 'minimal', install = true, log = () => {} } = options;
  if (!TEMPLATES.includes(template)) throw new ScaffoldError('UNKNOWN_TEMPLATE', `Unknown template '${template}'. Choose one of: ${TEMPLATES.join(', ')}.`);
  const name = basename(target).toLowerCase();
  if (!NAME.test(name)) {
    throw new ScaffoldError('INVALID_NAME', `'${basename(target)}' cannot name a Worker: use lowercase letters, digits and dashes (at most 63), e.g. my-app.`);
  }
  if (existsSync(target) && (!statSync(target).isDirectory() || readdirSync(target).length > 0)) {
    throw new ScaffoldError('TARGET_NOT_EMPTY', `${target} already exists and is not an empty folder; choose a new folder name.`);
  }
  const packagesDir = findPackages(options.packages);
  const demo = template === 'docs-editor' ? findDemo() : undefined;

  mkdirSync(target, { recursive: true });
  cpSync(join(templates, 'common'), target, { recursive: true });
  if (demo) for (const f of DEMO_FILES) cpSync(join(demo, f), join(target, f), { recursive: true });
  cpSync(join(templates, template), target, { recursive: true });
  renameSync(join(target, 'gitignore'), join(target, '.gitignore'));
  // Secure by default: the demo's DEV-ONLY mailbox lives in the git-ignored .dev.vars, so a deploy never has it.
  if (demo) writeFileSync(join(target, '.dev.vars'), '# DEV ONLY: magic links go to /dev/mailbox. Git-ignored, never deployed.\nDEMO_DEV_MAILBOX="true"\n', { mode: 0o600 });

  const repoUrl = options.repo ?? `https://github.com/<you>/${name}`;
  for (const file of walk(target)) {
    if (!TEXT_FILES.test(file)) continue;
    const text = readFileSync(file, 'utf8');
    let out = text.replaceAll('{{name}}', name).replaceAll('{{repoUrl}}', repoUrl);
    // The demo's Worker name (and its service binding to itself) becomes the project's.
    if (demo && basename(file) === 'wrangler.jsonc') out = out.replaceAll('"lumenize-demo"', JSON.stringify(name)).replace(DEV_MAILBOX_VAR, DEV_MAILBOX_MOVED);
    if (out !== text) writeFileSync(file, out);
  }

  const pkgFile = join(target, 'package.json');
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
  const source = packagesDir ? useTarballs(pkg, packagesDir, target) : useRegistry(pkg);
  writeFileSync(pkgFile, JSON.stringify(pkg, null, 2) + '\n');
  log(`Created ${name} (template ${template}) in ${target}`);
  log(source === 'tarballs' ? `  @lumenize/* from the packed tarballs in ${VENDOR_DIR}/` : '  @lumenize/* from the npm registry');

  if (install) {
    log('Installing dependencies (npm install)…');
    const npm = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: target, stdio: 'inherit', env: { ...process.env, INIT_CWD: target } });
    if (npm.status !== 0) throw new ScaffoldError('INSTALL_FAILED', `npm install failed in ${target} (exit ${npm.status}); fix the problem above and run it there again.`);
  }
  const cd = relative(process.env.INIT_CWD ?? process.cwd(), target) || '.';
  log('');
  log('Next:');
  log(`  cd ${cd}`);
  if (!install) log('  npm install');
  log('  npm start     # http://localhost:8787; the sign-in link is printed in the terminal');
  log('  npm test      # the tests, inside workerd, offline');
  return { target, name, template, source };
}

/** The tarball folder: the one given, else the one embedded in a packed create-lumenize, else none. */
function findPackages(given) {
  if (given !== undefined) {
    if (!existsSync(join(given, 'manifest.json'))) {
      throw new ScaffoldError('PACKAGES_NOT_FOUND', `${given} has no manifest.json: make the tarballs with \`node scripts/pack-packages.mjs\` in the Lumenize workspace.`);
    }
    return given;
  }
  const embedded = join(pkgRoot, 'packages');
  return existsSync(join(embedded, 'manifest.json')) ? embedded : undefined;
}

/** The docs-editor sources: embedded in a packed create-lumenize, or apps/demo of the workspace. */
function findDemo() {
  for (const dir of [join(templates, 'docs-editor'), join(pkgRoot, '../../apps/demo')]) {
    if (DEMO_FILES.every((f) => existsSync(join(dir, f)))) return dir;
  }
  throw new ScaffoldError('TEMPLATE_INCOMPLETE', 'The docs-editor template is missing its sources (src, web, scripts/prepare.mjs, wrangler.jsonc).');
}

/**
 * Copies the tarballs the project needs (its @lumenize/* dependencies and theirs) into the project
 * and depends on them by file; `overrides` makes every nested @lumenize/* dependency use them too.
 */
function useTarballs(pkg, packagesDir, target) {
  const manifest = JSON.parse(readFileSync(join(packagesDir, 'manifest.json'), 'utf8'));
  const byName = new Map(manifest.packages.map((p) => [p.name, p]));
  const needed = new Set();
  const visit = (dep) => {
    if (needed.has(dep)) return;
    const entry = byName.get(dep);
    if (!entry) throw new ScaffoldError('PACKAGE_MISSING', `${packagesDir} has no tarball for ${dep}; pack the workspace again.`);
    needed.add(dep);
    for (const sub of Object.keys(entry.dependencies ?? {})) if (sub.startsWith('@lumenize/')) visit(sub);
  };
  for (const dep of Object.keys(pkg.dependencies ?? {})) if (dep.startsWith('@lumenize/')) visit(dep);
  mkdirSync(join(target, VENDOR_DIR), { recursive: true });
  pkg.overrides = { ...pkg.overrides };
  for (const dep of [...needed].sort()) {
    const { file } = byName.get(dep);
    cpSync(join(packagesDir, file), join(target, VENDOR_DIR, file));
    pkg.dependencies[dep] = `file:${VENDOR_DIR}/${file}`;
    pkg.overrides[dep] = `$${dep}`;
  }
  pkg.dependencies = Object.fromEntries(Object.entries(pkg.dependencies).sort(([a], [b]) => a.localeCompare(b)));
  return 'tarballs';
}

function useRegistry(pkg) {
  for (const dep of Object.keys(pkg.dependencies ?? {})) if (dep.startsWith('@lumenize/')) pkg.dependencies[dep] = `^${ownVersion}`;
  return 'registry';
}

function walk(dir) {
  return readdirSync(dir).flatMap((n) => {
    const full = join(dir, n);
    return statSync(full).isDirectory() ? (n === 'node_modules' ? [] : walk(full)) : [full];
  });
}
