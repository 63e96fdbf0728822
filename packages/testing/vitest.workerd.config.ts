import { generateKeyPairSync } from 'node:crypto';
import { workerdProject } from '../../tools/vitest-shared.ts';

/** An ephemeral Ed25519 pair for the auth DO and middlewares: no private key is committed. */
function pair(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

const blue = pair();

// The package's §9 items and the fault harness, inside workerd against test/worker.ts.
export default workerdProject({
  name: 'testing:workerd',
  include: ['test/workerd/**/*.test.ts'],
  miniflare: { bindings: { JWT_PRIVATE_KEY_BLUE: blue.privatePem, JWT_PUBLIC_KEY_BLUE: blue.publicPem } },
});
