/** Internal: key slots from the environment (spec §2.3, §3.8) and access-token issuing. */
import { signJwt, tagKeyId } from './jwt.ts';
import { importKeyForSlot } from './keys.ts';

/** Key-related environment variables. */
export interface KeyEnv {
  PRIMARY_JWT_KEY?: unknown;
  JWT_PRIVATE_KEY_BLUE?: unknown;
  JWT_PRIVATE_KEY_GREEN?: unknown;
  JWT_PUBLIC_KEY_BLUE?: unknown;
  JWT_PUBLIC_KEY_GREEN?: unknown;
}

const SLOTS = ['BLUE', 'GREEN'] as const;
type Slot = (typeof SLOTS)[number];

/** Misconfigured keys: answered as 500 `server_error`, logged at error level without key material. */
export class KeyConfigurationError extends Error {
  override name = 'KeyConfigurationError';
  readonly code = 'key_configuration';
}

/** `PRIMARY_JWT_KEY` (unset → BLUE) and its imported private key. */
export async function signingKey(env: KeyEnv): Promise<{ key: CryptoKey; kid: Slot }> {
  const primary = env.PRIMARY_JWT_KEY ?? 'BLUE';
  if (primary !== 'BLUE' && primary !== 'GREEN') {
    throw new KeyConfigurationError('PRIMARY_JWT_KEY must be BLUE or GREEN');
  }
  const slot = `JWT_PRIVATE_KEY_${primary}`;
  const pem = env[slot as keyof KeyEnv];
  if (typeof pem !== 'string' || pem.trim() === '') throw new KeyConfigurationError(`${slot} is not set (PRIMARY_JWT_KEY is ${primary})`);
  try {
    return { key: await importKeyForSlot('private', pem, slot), kid: primary };
  } catch (error) {
    throw new KeyConfigurationError((error as Error).message);
  }
}

/** The configured public keys (BLUE, GREEN; missing slots skipped), tagged with their kid. */
export async function publicKeysFromEnv(env: KeyEnv): Promise<CryptoKey[]> {
  const keys: CryptoKey[] = [];
  for (const slot of SLOTS) {
    const name = `JWT_PUBLIC_KEY_${slot}` as const;
    const pem = env[name];
    if (typeof pem !== 'string' || pem.trim() === '') continue;
    try {
      const key = await importKeyForSlot('public', pem, name);
      tagKeyId(key, slot);
      keys.push(key);
    } catch (error) {
      throw new KeyConfigurationError((error as Error).message);
    }
  }
  if (keys.length === 0) throw new KeyConfigurationError('No JWT_PUBLIC_KEY_BLUE or JWT_PUBLIC_KEY_GREEN configured');
  return keys;
}

/** Signs `{ iss, aud, sub, exp, iat, jti }` (no email or other personal data). */
export async function issueAccessToken(
  signer: { key: CryptoKey; kid: string },
  claims: { issuer: string; audience: string; userId: string; ttlSeconds: number },
): Promise<string> {
  const iat = Math.floor(Date.now() / 1000);
  return signJwt(
    { iss: claims.issuer, aud: claims.audience, sub: claims.userId, exp: iat + claims.ttlSeconds, iat, jti: crypto.randomUUID() },
    signer.key,
    signer.kid,
  );
}
