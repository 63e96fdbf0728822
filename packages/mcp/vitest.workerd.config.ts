import { generateKeyPairSync } from 'node:crypto';
import { workerdProject } from '../../tools/vitest-shared.ts';

/** An ephemeral Ed25519 pair made at test start: no private key is ever committed. */
const { privateKey, publicKey } = generateKeyPairSync('ed25519');

// svc.mcp inside workerd: the session DO, the /mcp route and auth, driven with raw Streamable HTTP.
export default workerdProject({
  name: 'mcp:workerd',
  include: ['test/workerd/**/*.test.ts'],
  miniflare: {
    bindings: {
      JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      JWT_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    },
  },
});
