/** Test helpers: the ephemeral BLUE/GREEN/retired keys injected by vitest.workerd.config.ts. */
import { env } from 'cloudflare:test';
import { importPrivateKey, importPublicKey, signJwt, type JwtPayload } from '../../src/index.ts';

export async function testKeys() {
  return {
    bluePrivate: await importPrivateKey(env.JWT_PRIVATE_KEY_BLUE),
    bluePublic: await importPublicKey(env.JWT_PUBLIC_KEY_BLUE),
    greenPrivate: await importPrivateKey(env.JWT_PRIVATE_KEY_GREEN),
    greenPublic: await importPublicKey(env.JWT_PUBLIC_KEY_GREEN),
    retiredPrivate: await importPrivateKey(env.TEST_RETIRED_PRIVATE_KEY),
    retiredPublic: await importPublicKey(env.TEST_RETIRED_PUBLIC_KEY),
  };
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A standard access-token payload for `sub`, valid for `ttl` seconds. */
export function claims(sub = 'user-1', ttl = 900, extra: JwtPayload = {}): JwtPayload {
  const iat = nowSeconds();
  return { iss: 'https://lumenize.local', aud: 'https://lumenize.local', sub, iat, exp: iat + ttl, jti: crypto.randomUUID(), ...extra };
}

/** Signs with the BLUE test key. */
export async function blueToken(payload: JwtPayload = claims()): Promise<string> {
  return signJwt(payload, (await testKeys()).bluePrivate, 'BLUE');
}

export function b64url(value: unknown): string {
  return btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
