#!/usr/bin/env node
// `npm create lumenize@latest my-app` (or, in the Lumenize workspace, `npm run create -- ../my-app`).
import { resolve } from 'node:path';
import { parseCliArgs, USAGE } from '../src/args.mjs';
import { ScaffoldError } from '../src/errors.mjs';
import { scaffold } from '../src/scaffold.mjs';

try {
  const args = parseCliArgs(process.argv.slice(2));
  if (args.help) {
    console.log(USAGE);
  } else {
    // `npm run create` runs in the workspace root; INIT_CWD is where the user typed the command.
    const target = resolve(process.env.INIT_CWD ?? process.cwd(), args.target);
    await scaffold({ ...args, target, log: (line) => console.log(line) });
  }
} catch (error) {
  if (!(error instanceof ScaffoldError)) throw error;
  console.error(`create-lumenize: ${error.message}`);
  process.exitCode = 1;
}
