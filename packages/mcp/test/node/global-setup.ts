/**
 * Global setup of `mcp:node` (runs in Node): serves the mcp test Worker with real `wrangler dev`,
 * with an ephemeral Ed25519 key pair (public key to the Worker, private key to the tests).
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startWranglerDev } from '../../../../tools/wrangler-dev.ts';
import './provided.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const persistTo = mkdtempSync(join(tmpdir(), 'lmz-mcp-dev-'));
  const dev = await startWranglerDev({
    cwd: join(import.meta.dirname, '../..'),
    config: 'wrangler.jsonc',
    persistTo,
    // A `--var` value is one line: the PEM travels base64-encoded.
    vars: { JWT_PUBLIC_KEY_B64: Buffer.from(publicPem).toString('base64') },
    timeoutMs: 90_000,
  });
  project.provide('mcpDevUrl', dev.url);
  project.provide('mcpPrivateKeyPem', privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  return async () => {
    await dev.stop();
    rmSync(persistTo, { recursive: true, force: true });
  };
}
