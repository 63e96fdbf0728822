/**
 * Tests run inside workerd (the Workers runtime) with the app's own wrangler.jsonc: real Durable
 * Objects, real storage, real WebSockets, offline.
 */
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { transform } from 'esbuild';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [
    {
      // Vite's built-in TypeScript transform lowers only legacy decorators; Lumenize's `@mesh` is a
      // standard decorator, so esbuild (as wrangler uses) transforms the app's .ts files first.
      name: 'standard-decorators',
      enforce: 'pre',
      async transform(code: string, id: string) {
        const file = id.split('?')[0]!;
        if (!file.endsWith('.ts') || file.includes('/node_modules/')) return null;
        const out = await transform(code, { loader: 'ts', target: 'es2022', sourcemap: true, sourcefile: file });
        return { code: out.code, map: out.map };
      },
    },
    cloudflareTest({
      wrangler: { configPath: './wrangler.jsonc' },
      // Test mode: the magic-link request answers with the link itself (never set this in production).
      miniflare: { bindings: { AUTH_TEST_MODE: 'true' } },
    }),
  ],
  test: { include: ['test/**/*.test.ts'] },
});
