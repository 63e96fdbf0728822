/**
 * EdDSA (Ed25519) JWT signing and strict verification on top of `jose` (spec §3.8–§3.9).
 * Shape checks (size, segments, JSON, `alg`) run before any crypto, so junk costs no verify call.
 */
import { SignJWT, errors, jwtVerify } from 'jose';
import type { JwtHeader, JwtPayload, VerifyOptions } from './jwt-types.ts';

/** Largest token accepted, in characters (checked before any crypto). */
export const MAX_TOKEN_LENGTH = 8 * 1024;
/** Extra seconds an `iat` may lie in the future, on top of the clock tolerance. */
const IAT_FUTURE_ALLOWANCE = 60;
const SEGMENT = /^[A-Za-z0-9_-]+$/;

/** Why a token was refused; `expired` is only reported after the signature verified. */
export type VerifyFailure =
  | 'malformed'
  | 'invalid_signature'
  | 'expired'
  | 'missing_exp'
  | 'not_yet_valid'
  | 'audience_mismatch'
  | 'issuer_mismatch'
  | 'invalid_claims'
  | 'no_keys';

export type VerifyOutcome =
  | { ok: true; header: JwtHeader; payload: JwtPayload }
  | { ok: false; reason: VerifyFailure };

/** Key id learned or declared for a key; only changes the order keys are tried in. */
const keyIds = new WeakMap<CryptoKey, string>();

/** Internal: records which `kid` a key signs for (BLUE/GREEN slots), so it is tried first. */
export function tagKeyId(key: CryptoKey, kid: string): void {
  keyIds.set(key, kid);
}

function decodeSegment(segment: string): unknown {
  const b64 = segment.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Decodes without verifying; `null` for anything that is not a three-segment JSON JWT. */
function decodeCompact(token: unknown): { header: JwtHeader; payload: JwtPayload } | null {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return null;
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((p) => SEGMENT.test(p))) return null;
  try {
    const header = decodeSegment(parts[0]);
    const payload = decodeSegment(parts[1]);
    if (!isObject(header) || typeof header.alg !== 'string' || !isObject(payload)) return null;
    return { header: header as JwtHeader, payload: payload as JwtPayload };
  } catch {
    return null;
  }
}

/**
 * Decodes a JWT WITHOUT verifying it. For inspection and logging decisions only; never trust it.
 * @example const parsed = parseJwtUnsafe(token); parsed?.header.kid;
 */
export function parseJwtUnsafe(token: string): { header: JwtHeader; payload: JwtPayload } | null {
  return decodeCompact(token);
}

/**
 * Signs `payload` as a compact JWT with header `{ alg: 'EdDSA', typ: 'JWT', kid: keyId }`.
 * The payload is used as given (set `exp`, `iat` yourself).
 * @example const jwt = await signJwt({ sub: 'u1', exp: now + 900 }, privateKey, 'BLUE');
 */
export async function signJwt(payload: JwtPayload, privateKey: CryptoKey, keyId: string): Promise<string> {
  return new SignJWT({ ...payload }).setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: keyId }).sign(privateKey);
}

function claimFailure(error: unknown): VerifyFailure {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'exp') return error.reason === 'missing' ? 'missing_exp' : 'invalid_claims';
    if (error.claim === 'aud') return 'audience_mismatch';
    if (error.claim === 'iss') return 'issuer_mismatch';
    if (error.claim === 'nbf') return 'not_yet_valid';
    return 'invalid_claims';
  }
  return 'malformed';
}

/** Keys whose id matches `kid` first, then unlabelled keys, then keys labelled otherwise. */
function orderKeys(keys: readonly CryptoKey[], kid: unknown): CryptoKey[] {
  if (typeof kid !== 'string') return [...keys];
  const rank = (k: CryptoKey) => {
    const id = keyIds.get(k);
    return id === kid ? 0 : id === undefined ? 1 : 2;
  };
  return [...keys].sort((a, b) => rank(a) - rank(b));
}

/** Internal: full verification with the refusal reason (the middlewares report it). */
export async function verifyDetailed(
  token: unknown,
  publicKeys: readonly CryptoKey[],
  options: VerifyOptions = {},
): Promise<VerifyOutcome> {
  const decoded = decodeCompact(token);
  if (!decoded || decoded.header.alg !== 'EdDSA') return { ok: false, reason: 'malformed' };
  const keys = publicKeys.filter((k): k is CryptoKey => !!k);
  if (keys.length === 0) return { ok: false, reason: 'no_keys' };
  const tolerance = Math.max(0, Number(options.clockToleranceSeconds ?? 0) || 0);
  for (const key of orderKeys(keys, decoded.header.kid)) {
    try {
      const { payload, protectedHeader } = await jwtVerify(token as string, key, {
        algorithms: ['EdDSA'],
        requiredClaims: ['exp'],
        clockTolerance: tolerance,
        ...(options.audience !== undefined ? { audience: options.audience } : {}),
        ...(options.issuer !== undefined ? { issuer: options.issuer } : {}),
      });
      if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000 + tolerance + IAT_FUTURE_ALLOWANCE) {
        return { ok: false, reason: 'invalid_claims' };
      }
      if (typeof protectedHeader.kid === 'string' && !keyIds.has(key)) keyIds.set(key, protectedHeader.kid);
      return { ok: true, header: protectedHeader as JwtHeader, payload: payload as JwtPayload };
    } catch (error) {
      if (error instanceof errors.JWSSignatureVerificationFailed) continue;
      return { ok: false, reason: claimFailure(error) };
    }
  }
  return { ok: false, reason: 'invalid_signature' };
}

/**
 * Verifies an EdDSA JWT with one public key: signature, `alg`, mandatory `exp`, `nbf`, `iat`,
 * and `aud`/`iss` when given. Returns the payload, or `null` (never throws) for any failure.
 * @example const payload = await verifyJwt(token, publicKey, { audience: 'https://app' });
 */
export async function verifyJwt(token: string, publicKey: CryptoKey, options?: VerifyOptions): Promise<JwtPayload | null> {
  const outcome = await verifyDetailed(token, [publicKey], options);
  return outcome.ok ? outcome.payload : null;
}

/**
 * Like `verifyJwt` with several keys (BLUE/GREEN rotation): the key matching the token's `kid`
 * is tried first, then the others.
 * @example const payload = await verifyJwtWithRotation(token, [blueKey, greenKey]);
 */
export async function verifyJwtWithRotation(
  token: string,
  publicKeys: CryptoKey[],
  options?: VerifyOptions,
): Promise<JwtPayload | null> {
  const outcome = await verifyDetailed(token, publicKeys, options);
  return outcome.ok ? outcome.payload : null;
}
