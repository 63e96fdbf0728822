/** Command-line arguments of `create-lumenize` (node:util parseArgs; unknown options are errors). */
import { parseArgs } from 'node:util';
import { ScaffoldError } from './errors.mjs';

export const USAGE = `Usage: npm create lumenize@latest <folder> [-- options]
       create-lumenize <folder> [--template minimal|docs-editor] [--packages <dir>] [--no-install] [--repo <url>]

  --template   minimal (default): one LumenizeDO, one Worker, a LumenizeClient page, magic-link sign-in
               docs-editor: Lumenize Docs, the collaborative editor demo
  --packages   a folder of @lumenize/*.tgz tarballs with manifest.json (scripts/pack-packages.mjs);
               they are copied into the project and installed from there, not from the registry
  --no-install write the files only
  --repo       your repository URL, for the README's Deploy to Cloudflare button`;

/** @param {string[]} argv */
export function parseCliArgs(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        template: { type: 'string', short: 't', default: 'minimal' },
        packages: { type: 'string' },
        'no-install': { type: 'boolean', default: false },
        repo: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new ScaffoldError('USAGE', `${error.message}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { help: true };
  if (positionals.length !== 1) throw new ScaffoldError('USAGE', `Expected one target folder, got ${positionals.length}.\n\n${USAGE}`);
  return { help: false, target: positionals[0], template: values.template, packages: values.packages, install: !values['no-install'], repo: values.repo };
}
