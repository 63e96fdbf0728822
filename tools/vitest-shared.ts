/**
 * Shared pieces of the per-package vitest configs.
 *
 * - `tc39Decorators()`: Vite 8 transforms TypeScript with Oxc, which lowers only legacy decorators;
 *   standard (TC39) decorators would reach workerd untransformed. This `enforce: 'pre'` plugin runs
 *   esbuild on `.ts` sources first (target es2022 lowers decorators and `using`).
 * - `workerdProject()` / `nodeProject()`: the two kinds of vitest project in this repo.
 * - `filterExpectedWorkerdErrors()`: hides workerd's logs of errors that tests throw on purpose.
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

/**
 * Console-noise filter for expected failures. When a Durable Object or Worker method throws to an RPC
 * caller, workerd also logs the error as "uncaught exception; source = Uncaught (in promise)", and the
 * vitest plugin prints that log to stderr (its log handler cannot be replaced through options). The
 * tests below throw on purpose and assert the error the caller receives, so the log line is noise.
 * Only these exact expected errors are hidden (matched on the log's first line); anything else still
 * prints, and a count of hidden lines is printed at exit so nothing disappears silently.
 */
const EXPECTED_WORKERD_ERRORS: { error: RegExp; from: string }[] = [
  // auth: LumenizeAuth.configure refuses bad config (config tests), a refusing test email service.
  { error: /AuthConfig\.redirect must not be protocol-relative|AuthConfig\.magicLinkBaseUrl is required/, from: 'packages/auth/test (bad AuthConfig)' },
  { error: /Error: email to other@example\.com not allowed/, from: 'packages/auth/test (refusing email service)' },
  // mesh/rpc: private, unknown and internal methods are unreachable over RPC.
  { error: /The RPC receiver does not implement "(__executeBatch|#secret|secret)"/, from: 'packages/mesh, packages/rpc tests (unreachable methods)' },
  // mesh: bad envelopes and identities are refused at the boundary (bad-input tests).
  { error: /Unsupported RPC envelope version|Missing callContext in envelope|Invalid callContext: callChain must be a non-empty array|Invalid envelope: chain must be a serialized operation chain|Call chain too long \(>100\)/, from: 'packages/mesh/test/core (envelope validation)' },
  { error: /DO instance name mismatch: stored '(adv-fuzz|identity-3)'/, from: 'packages/mesh/test (identity tests)' },
  { error: /Error: tier exploded|onStart exploded/, from: 'packages/mesh/test/core (FailingFanoutWorker, FailingStartDO)' },
  // fetch: exactly-once tests crash a DO on purpose (ctx.abort) and serve an upstream body that breaks mid-way.
  { error: /broken\.outputGateBroken; jsg\.Error: (crash inside the handler|test reset)$|jsg\.Error: upstream connection dropped mid-body$/, from: 'packages/fetch/test (nodes.ts: ctx.abort, BROKEN_UPSTREAM)' },
  // rpc: an error thrown by a DO method reaches the browser client as the same error.
  { error: /TypeError: room failure/, from: 'packages/rpc/test (RoomDO.failing)' },
];

function filterExpectedWorkerdErrors(): void {
  const marker = Symbol.for('lumenize.expectedWorkerdErrorFilter');
  const holder = process as unknown as Record<symbol, boolean>;
  if (holder[marker]) return;
  holder[marker] = true;
  let hidden = 0;
  // A request to a host that cannot be reached, made on purpose (fetch's `no-such-host.invalid`,
  // RFC 6761; the MCP client's closed port), makes workerd log the network failure and then the
  // same failure twice more as uncaught: as a generic "internal error; reference = …" after a DNS
  // failure, "Network connection lost." after a refused connection. Only those next two are hidden.
  const NETWORK_FAILURES: { cause: string; then: string }[] = [
    { cause: 'failed to lookup address information: Name or service not known', then: 'internal error; reference = ' },
    { cause: 'Connection refused (os error 111)', then: 'Network connection lost.' },
  ];
  let echo: { then: string; left: number } | undefined;
  const isEcho = (text: string): boolean => {
    // Only workerd's own network log (it names its Rust source), never a test report quoting it.
    const failure = text.includes('rust/worker/ffi.rs') ? NETWORK_FAILURES.find((f) => text.includes(f.cause)) : undefined;
    if (failure) return void (echo = { then: failure.then, left: 2 }), true;
    if (!echo || !text.includes('uncaught exception; ') || !text.includes(echo.then)) return false;
    if (--echo.left === 0) echo = undefined;
    return true;
  };
  // workerd's log level decides the stream (the plugin writes errors to stderr, others to stdout).
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : '';
      const first = text.slice(0, text.indexOf('\n') >>> 0);
      if ((first.includes('uncaught exception; ') && EXPECTED_WORKERD_ERRORS.some((e) => e.error.test(first))) || isEcho(text)) {
        hidden++;
        const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
        callback?.();
        return true;
      }
      return write(chunk, ...rest);
    }) as typeof stream.write;
  }
  process.on('exit', () => {
    if (hidden > 0) process.stderr.write(`[lumenize] hid ${hidden} expected workerd error log(s) from tests that throw on purpose (tools/vitest-shared.ts)\n`);
  });
}
filterExpectedWorkerdErrors();

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
