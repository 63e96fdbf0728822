#!/usr/bin/env node
// Prints a fresh Ed25519 key pair for signing sign-in tokens (JWTs) in production:
//   npm run keys
// then paste each value into `npx wrangler secret put JWT_PRIVATE_KEY_BLUE` / `JWT_PUBLIC_KEY_BLUE`
// (or into the Deploy to Cloudflare form). Local development needs nothing: `npm start` writes
// DEV-ONLY keys into the git-ignored .dev.vars.
import { generateKeyPairSync } from 'node:crypto';
import { fileURLToPath } from 'node:url';

/** A new key pair as single-line PEM strings (newlines escaped as \n, the form .dev.vars and secrets take). */
export function newKeyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const pem = (key, type) => key.export({ format: 'pem', type }).trim().replaceAll('\n', '\\n');
  return { JWT_PRIVATE_KEY_BLUE: pem(privateKey, 'pkcs8'), JWT_PUBLIC_KEY_BLUE: pem(publicKey, 'spki') };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const [name, value] of Object.entries(newKeyPair())) console.log(`${name}="${value}"`);
}
