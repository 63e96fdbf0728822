/**
 * The esbuild settings client bundles are measured with (bench/bundle/README.md): ESM for the
 * browser, es2022, bundled, minified, tree-shaken, with a metafile. Shared by bench/bundle and by
 * the test of which modules the mesh client bundle holds (packages/mesh/test/node/client-bundle.test.ts).
 */
import type { BuildOptions } from 'esbuild';

export const BUNDLE_SETTINGS = {
  bundle: true,
  write: false,
  minify: true,
  treeShaking: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  metafile: true,
  logLevel: 'error',
} as const satisfies BuildOptions;
