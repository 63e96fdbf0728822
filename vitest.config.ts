import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { findChromium } from './tools/chromium.ts';
import { onConsoleLog } from './tools/expected-logs.ts';

// Every package contributes one file per kind of project: vitest.node.config.ts (plain Node),
// vitest.workerd.config.ts (inside workerd) and vitest.browser.config.ts (headless Chromium).
// Browser projects are listed only when a Chromium is installed; scripts/test.sh says so loudly.
const projects = ['packages/*/vitest.node.config.ts', 'packages/*/vitest.workerd.config.ts', 'packages/*/test/*/vitest.*.config.ts', 'apps/*/vitest.*.config.ts', 'tools/vitest.*.config.ts'];
if (findChromium()) projects.push('packages/*/vitest.browser.config.ts');

export default defineConfig({
  test: {
    projects,
    // One worker more than cores: most test files wait (on wrangler dev, sockets, Chromium, real
    // presence and heartbeat timeouts) rather than compute, so a spare worker keeps the cores busy.
    maxWorkers: availableParallelism() + 1,
    // Vitest must not look for test files outside the projects.
    passWithNoTests: false,
    // Logs that tests provoke on purpose are hidden (listed, with reasons, in tools/expected-logs.ts).
    onConsoleLog,
  },
});
