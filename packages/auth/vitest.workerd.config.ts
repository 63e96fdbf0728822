import { generateKeyPairSync } from 'node:crypto';
import { workerdProject } from '../../tools/vitest-shared.ts';

/** Ephemeral Ed25519 pairs made at test start: no private key is ever committed. */
function pair(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

const blue = pair();
const green = pair();
const retired = pair();

export default workerdProject({
  name: 'auth:workerd',
  include: ['test/**/*.test.ts'],
  miniflare: {
    bindings: {
      JWT_PRIVATE_KEY_BLUE: blue.privatePem,
      JWT_PUBLIC_KEY_BLUE: blue.publicPem,
      JWT_PRIVATE_KEY_GREEN: green.privatePem,
      JWT_PUBLIC_KEY_GREEN: green.publicPem,
      // A key pair that is no longer configured anywhere: tokens it signed must be refused.
      TEST_RETIRED_PRIVATE_KEY: retired.privatePem,
      TEST_RETIRED_PUBLIC_KEY: retired.publicPem,
    },
  },
});
