/**
 * Ed25519 PEM import with a per-isolate cache: each distinct PEM is imported at most once, so
 * middlewares, the auth DO and tests share imported keys. Errors never contain the PEM text.
 */
import { importPKCS8, importSPKI } from 'jose';

/** Bound on cached keys; real deployments hold two to four PEMs. */
const MAX_CACHED = 32;
const cache = new Map<string, Promise<CryptoKey>>();

/** Dashboards often store PEMs with literal `\n` sequences; both forms load. */
function normalizePem(pem: string): string {
  return pem.replace(/\\r\\n|\\n/g, '\n').trim();
}

async function importCached(kind: 'public' | 'private', pem: unknown, slot: string | undefined): Promise<CryptoKey> {
  const what = kind === 'public' ? 'an SPKI "PUBLIC KEY"' : 'a PKCS#8 "PRIVATE KEY"';
  const label = slot ? `${slot}: ` : '';
  if (typeof pem !== 'string' || pem.trim() === '') {
    throw new TypeError(`${label}expected ${what} PEM string for an Ed25519 key`);
  }
  const text = normalizePem(pem);
  const cacheKey = `${kind}\n${text}`;
  let pending = cache.get(cacheKey);
  if (!pending) {
    pending = kind === 'public' ? importSPKI(text, 'EdDSA') : importPKCS8(text, 'EdDSA');
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
    cache.set(cacheKey, pending);
  }
  try {
    return await pending;
  } catch {
    cache.delete(cacheKey);
    // The underlying error may quote the input; never let key material into messages or logs.
    throw new TypeError(`${label}invalid ${kind} key: expected ${what} PEM of an Ed25519 key`);
  }
}

/**
 * Imports an Ed25519 SPKI PEM (`-----BEGIN PUBLIC KEY-----`) for verification. Cached per isolate.
 * @example const key = await importPublicKey(env.JWT_PUBLIC_KEY_BLUE);
 */
export function importPublicKey(pem: string): Promise<CryptoKey> {
  return importCached('public', pem, undefined);
}

/**
 * Imports an Ed25519 PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`) for signing. Cached per isolate.
 * @example const key = await importPrivateKey(env.JWT_PRIVATE_KEY_BLUE);
 */
export function importPrivateKey(pem: string): Promise<CryptoKey> {
  return importCached('private', pem, undefined);
}

/** Internal: like the exports, but errors name the slot (env var) that failed. */
export function importKeyForSlot(kind: 'public' | 'private', pem: unknown, slot: string): Promise<CryptoKey> {
  return importCached(kind, pem, slot);
}
