/**
 * `npm start` is scripts/start.sh: it prepares the demo (dev keys, browser bundle) and runs
 * wrangler dev with persisted state. This test runs that script on a free port (PORT) with its own
 * state folder (LMZ_DEMO_STATE), waits for the app (at most 90 s, the bound for a fresh
 * clone), writes a document through the mesh, restarts the script, and reads it back: documents,
 * versions, who wrote them, and the sign-in itself survive the restart.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freePort, startServer, type StartedServer } from '../../../tools/wrangler-dev.ts';
import { connectNodeClient } from './support/node-client.ts';
import { signInOverHttp } from './support/sign-in.ts';

const repo = join(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Runs `bash scripts/start.sh` (what `npm start` runs) and resolves once the page is served. */
async function npmStart(state: string, timeoutMs = 90_000): Promise<StartedServer> {
  const port = await freePort();
  // A free inspector port too: another `npm test` on the same machine may hold wrangler's default.
  const inspectorPort = await freePort();
  return startServer({
    what: 'npm start (scripts/start.sh)',
    command: 'bash',
    args: [join(repo, 'scripts/start.sh')],
    cwd: repo,
    env: { PORT: String(port), LMZ_DEMO_STATE: state, LMZ_INSPECTOR_PORT: String(inspectorPort) },
    url: `http://127.0.0.1:${port}`,
    timeoutMs,
    ready: async (url) => {
      const page = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      return page.ok && (await page.text()).includes('<div id="app">');
    },
  });
}

describe('npm start', () => {
  it('serves Lumenize Docs within 90 s, and documents survive a restart', async () => {
    const state = mkdtempSync(join(tmpdir(), 'lmz-docs-start-'));
    let server = await npmStart(state);
    let docId: string;
    const alice = await signInOverHttp(server.url, 'alice@example.com');
    try {
      expect(server.output()).toContain('open http://localhost:');
      expect(server.output()).toContain('/dev/mailbox');
      // Nothing alarming offline: wrangler's request.cf probe is switched off by scripts/start.sh.
      expect(server.output()).not.toMatch(/ENOTFOUND|getaddrinfo|workers\.cloudflare\.com/);
      const bundle = await fetch(`${server.url}/app.js`);
      expect(bundle.status).toBe(200);
      expect(bundle.headers.get('content-type')).toContain('javascript');
      using client = await connectNodeClient(server.url, alice);
      const doc = await client.createDoc('Survives restarts');
      docId = doc.id;
      const first = await client.edit(docId, 'restart-edit-1', 0, ['Written before the restart.']);
      const second = await client.edit(docId, 'restart-edit-2', 1, [27, ' Twice.']);
      expect([first.version, second.version]).toEqual([1, 2]);
    } finally {
      await server.stop();
    }

    server = await npmStart(state);
    try {
      // The refresh cookie issued before the restart still works: sessions live in DemoAuth's SQLite.
      alice.baseUrl = server.url;
      await alice.refresh();
      using client = await connectNodeClient(server.url, alice);
      const reopened = await client.openDoc(docId);
      expect(reopened.text).toBe('Written before the restart. Twice.');
      expect(reopened.version).toBe(2);
      expect(reopened.lastEdit?.by.email).toBe('alice@example.com');
      expect((await client.listDocs()).map((d) => d.title)).toContain('Survives restarts');
    } finally {
      await server.stop();
    }
  });
});
