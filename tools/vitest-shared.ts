/**
 * Shared pieces of the per-package vitest configs.
 *
 * - `tc39Decorators()`: Vite 8 transforms TypeScript with Oxc, which lowers only legacy decorators;
 *   standard (TC39) decorators would reach workerd untransformed. This `enforce: 'pre'` plugin runs
 *   esbuild on `.ts` sources first (target es2022 lowers decorators and `using`).
 * - `workerdProject()` / `nodeProject()`: the two kinds of vitest project in this repo.
 */
import { statfsSync } from 'node:fs';
import { transform } from 'esbuild';
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import type { Plugin } from 'vite';
import { defineProject, type TestProjectInlineConfiguration } from 'vitest/config';

/**
 * Miniflare keeps each test DO's SQLite files under os.tmpdir(). On tmpfs a DO is created in ~2 ms
 * instead of ~7 ms and a first write costs ~3 ms instead of ~10 ms, which adds up over thousands of
 * DOs. Used only when TMPDIR is unset and /dev/shm has room (Docker's default 64 MB does not).
 */
function preferTmpfs(): void {
  if (process.env.TMPDIR) return;
  try {
    const fs = statfsSync('/dev/shm');
    if (fs.bavail * fs.bsize >= 2 * 1024 ** 3) process.env.TMPDIR = '/dev/shm';
  } catch {
    // No /dev/shm (macOS, Windows): keep the default.
  }
}
preferTmpfs();

export function tc39Decorators(): Plugin {
  return {
    name: 'lumenize:tc39-decorators',
    enforce: 'pre',
    async transform(code, id) {
      const file = id.split('?')[0];
      if (!file.endsWith('.ts') || file.includes('/node_modules/')) return null;
      const out = await transform(code, {
        loader: 'ts',
        target: 'es2022',
        sourcemap: true,
        sourcefile: file,
        tsconfigRaw: { compilerOptions: { experimentalDecorators: false, useDefineForClassFields: true } },
      });
      return { code: out.code, map: out.map };
    },
  };
}

interface ProjectOptions {
  /** Project name, shown in vitest output (e.g. `mesh:workerd`). */
  name: string;
  /** Test file globs, relative to the package folder. */
  include?: string[];
  /** Extra exclusions. */
  exclude?: string[];
}

/** A project that runs inside workerd with the package's own wrangler config. */
export function workerdProject(
  opts: ProjectOptions & { wranglerConfig?: string; miniflare?: Record<string, unknown> },
): TestProjectInlineConfiguration {
  return defineProject({
    plugins: [
      tc39Decorators(),
      cloudflareTest({
        wrangler: { configPath: opts.wranglerConfig ?? './wrangler.jsonc' },
        ...(opts.miniflare ? { miniflare: opts.miniflare } : {}),
      }),
    ],
    test: {
      name: opts.name,
      include: opts.include ?? ['test/**/*.test.ts'],
      exclude: [...(opts.exclude ?? []), '**/node_modules/**'],
      // Generous: a timeout is a hang detector, not a speed check, and a loaded 2-core machine (two
      // suites at once, `npm run soak`) makes real-socket and many-DO tests several times slower.
      testTimeout: 30_000,
    },
  }) as TestProjectInlineConfiguration;
}

/** A project that runs in plain Node (pure code, browser drivers, wrangler-dev clients). */
export function nodeProject(opts: ProjectOptions & { testTimeout?: number }): TestProjectInlineConfiguration {
  return defineProject({
    plugins: [tc39Decorators()],
    test: {
      name: opts.name,
      environment: 'node',
      include: opts.include ?? ['test/**/*.test.ts'],
      exclude: [...(opts.exclude ?? []), '**/node_modules/**'],
      testTimeout: opts.testTimeout ?? 30_000,
    },
  }) as TestProjectInlineConfiguration;
}

/**
 * A project that runs the given tests in headless Debian Chromium (vitest browser mode driven by
 * playwright with `executablePath`; nothing is downloaded). Only listed by the root config when a
 * Chromium is installed.
 */
export async function browserProject(opts: ProjectOptions): Promise<TestProjectInlineConfiguration> {
  const { playwright } = await import('@vitest/browser-playwright');
  const { findChromium, CHROMIUM_ARGS } = await import('./chromium.ts');
  const executablePath = findChromium();
  return defineProject({
    plugins: [tc39Decorators()],
    test: {
      name: opts.name,
      include: opts.include ?? ['test/**/*.test.ts'],
      exclude: [...(opts.exclude ?? []), '**/node_modules/**'],
      browser: {
        enabled: true,
        headless: true,
        provider: playwright({ launchOptions: { executablePath, args: CHROMIUM_ARGS } }),
        instances: [{ browser: 'chromium' }],
        screenshotFailures: false,
      },
    },
  }) as TestProjectInlineConfiguration;
}
