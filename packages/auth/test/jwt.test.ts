/**
 * JWT signing, strict verification and key import (spec §3.8–§3.9; acceptance items 25–28, 36, 37, 60)
 * plus the token attacks: forged signature, `alg: none`, expired, retired key after rotation.
 */
import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  extractWebSocketToken,
  getTokenTtl,
  importPrivateKey,
  importPublicKey,
  parseJwtUnsafe,
  signJwt,
  verifyJwt,
  verifyJwtWithRotation,
  verifyWebSocketToken,
  WS_CLOSE_CODES,
} from '../src/index.ts';
import { b64url, blueToken, claims, nowSeconds, testKeys } from './helpers/keys.ts';

afterEach(() => vi.restoreAllMocks());

describe('signJwt', () => {
  it('produces a compact EdDSA token with kid and unpadded base64url segments', async () => {
    const token = await blueToken();
    const parts = token.split('.');
    expect(parts).toHaveLength(3);
    for (const p of parts) expect(p).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(parseJwtUnsafe(token)?.header).toEqual({ alg: 'EdDSA', typ: 'JWT', kid: 'BLUE' });
  });
});

describe('25: verifyJwt rejects, returning null without throwing', () => {
  it('a tampered payload (forged signature attack)', async () => {
    const { bluePublic } = await testKeys();
    const [h, , s] = (await blueToken(claims('alice'))).split('.');
    const forged = `${h}.${b64url(claims('admin'))}.${s}`;
    await expect(verifyJwt(forged, bluePublic)).resolves.toBeNull();
  });

  it('a token signed by another key', async () => {
    const { greenPublic } = await testKeys();
    await expect(verifyJwt(await blueToken(), greenPublic)).resolves.toBeNull();
  });

  it('alg other than EdDSA, including the alg:none attack', async () => {
    const { bluePublic } = await testKeys();
    const [, p, s] = (await blueToken()).split('.');
    const none = `${b64url({ alg: 'none', typ: 'JWT' })}.${p}.`;
    const noneWithSig = `${b64url({ alg: 'none', typ: 'JWT' })}.${p}.${s}`;
    const hs256 = `${b64url({ alg: 'HS256', typ: 'JWT', kid: 'BLUE' })}.${p}.${s}`;
    for (const t of [none, noneWithSig, hs256]) await expect(verifyJwt(t, bluePublic)).resolves.toBeNull();
  });

  it('a missing exp (a token without expiry would be valid forever)', async () => {
    const { bluePrivate, bluePublic } = await testKeys();
    const { exp: _exp, ...noExp } = claims();
    await expect(verifyJwt(await signJwt(noExp, bluePrivate, 'BLUE'), bluePublic)).resolves.toBeNull();
  });

  it('a past exp (expired token attack)', async () => {
    const { bluePublic } = await testKeys();
    const expired = await blueToken(claims('u', -1));
    await expect(verifyJwt(expired, bluePublic)).resolves.toBeNull();
  });

  it('a future nbf and an iat more than 60 s ahead', async () => {
    const { bluePublic } = await testKeys();
    await expect(verifyJwt(await blueToken(claims('u', 900, { nbf: nowSeconds() + 30 })), bluePublic)).resolves.toBeNull();
    await expect(verifyJwt(await blueToken(claims('u', 900, { iat: nowSeconds() + 120 })), bluePublic)).resolves.toBeNull();
    // Within the 60 s allowance an iat in the future is accepted.
    await expect(verifyJwt(await blueToken(claims('u', 900, { iat: nowSeconds() + 30 })), bluePublic)).resolves.not.toBeNull();
  });

  it('a wrong audience or issuer when configured', async () => {
    const { bluePublic } = await testKeys();
    const token = await blueToken();
    await expect(verifyJwt(token, bluePublic, { audience: 'https://other' })).resolves.toBeNull();
    await expect(verifyJwt(token, bluePublic, { issuer: 'https://other' })).resolves.toBeNull();
    await expect(verifyJwt(token, bluePublic, { audience: 'https://lumenize.local', issuer: 'https://lumenize.local' })).resolves.toMatchObject({ sub: 'user-1' });
  });

  it('a two-segment token, a 9 KB token, non-JSON segments and non-strings', async () => {
    const { bluePublic } = await testKeys();
    const [h, p, s] = (await blueToken()).split('.');
    const big = await blueToken(claims('u', 900, { pad: 'x'.repeat(9 * 1024) }));
    expect(big.length).toBeGreaterThan(9 * 1024);
    for (const t of [`${h}.${p}`, big, `${h}.bm90LWpzb24.${s}`, `${h}.${p}.${s}.x`, '', 'a.b.c', `${h}.${b64url([1])}.${s}`]) {
      await expect(verifyJwt(t, bluePublic)).resolves.toBeNull();
    }
    await expect(verifyJwt(42 as unknown as string, bluePublic)).resolves.toBeNull();
  });
});

describe('26: verifyJwt accepts', () => {
  it('an aud array containing the expected audience', async () => {
    const { bluePublic } = await testKeys();
    const token = await blueToken(claims('u', 900, { aud: ['https://x', 'https://lumenize.local'] }));
    await expect(verifyJwt(token, bluePublic, { audience: 'https://lumenize.local' })).resolves.toMatchObject({ sub: 'u' });
  });

  it('an expired token within clockToleranceSeconds, not beyond it', async () => {
    const { bluePublic } = await testKeys();
    const token = await blueToken(claims('u', -5));
    await expect(verifyJwt(token, bluePublic, { clockToleranceSeconds: 30 })).resolves.toMatchObject({ sub: 'u' });
    await expect(verifyJwt(token, bluePublic, { clockToleranceSeconds: 2 })).resolves.toBeNull();
  });
});

describe('27: verifyJwtWithRotation', () => {
  it('tries the kid-matching key first and falls back to the others', async () => {
    // Fresh pairs, so no earlier test has taught the isolate which kid these keys sign for.
    const gen = () => crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']) as Promise<CryptoKeyPair>;
    const blue = await gen();
    const green = await gen();
    const keys = [blue.publicKey, green.publicKey];
    const verify = vi.spyOn(crypto.subtle, 'verify');
    // First sight of unlabelled keys: BLUE is tried, fails, and the fallback GREEN key verifies.
    await expect(verifyJwtWithRotation(await signJwt(claims('g'), green.privateKey, 'GREEN'), keys)).resolves.toMatchObject({ sub: 'g' });
    expect(verify.mock.calls.map((c) => c[1])).toEqual([blue.publicKey, green.publicKey]);
    verify.mockClear();
    // GREEN's key is now known to sign kid GREEN: it is tried first although listed last.
    await expect(verifyJwtWithRotation(await signJwt(claims('g2'), green.privateKey, 'GREEN'), keys)).resolves.toMatchObject({ sub: 'g2' });
    expect(verify.mock.calls.map((c) => c[1])).toEqual([green.publicKey]);
    verify.mockClear();
    // A BLUE token skips the key labelled GREEN.
    await expect(verifyJwtWithRotation(await signJwt(claims('b'), blue.privateKey, 'BLUE'), [green.publicKey, blue.publicKey])).resolves.toMatchObject({ sub: 'b' });
    expect(verify.mock.calls.map((c) => c[1])).toEqual([blue.publicKey]);
  });

  it('refuses a token from a retired key once that key is no longer configured', async () => {
    const k = await testKeys();
    const old = await signJwt(claims('u'), k.retiredPrivate, 'BLUE');
    await expect(verifyJwtWithRotation(old, [k.retiredPublic, k.greenPublic])).resolves.toMatchObject({ sub: 'u' });
    // Rotation window over: the retired public key is dropped from configuration.
    await expect(verifyJwtWithRotation(old, [k.bluePublic, k.greenPublic])).resolves.toBeNull();
  });

  it('returns null with no keys', async () => {
    await expect(verifyJwtWithRotation(await blueToken(), [])).resolves.toBeNull();
  });
});

describe('28: PEM import', () => {
  it('accepts PEMs whose newlines are literal \\n sequences', async () => {
    const escapedPublic = env.JWT_PUBLIC_KEY_BLUE.trim().replace(/\n/g, '\\n');
    const escapedPrivate = env.JWT_PRIVATE_KEY_BLUE.trim().replace(/\n/g, '\\n');
    expect(escapedPublic).not.toContain('\n');
    const pub = await importPublicKey(escapedPublic);
    const priv = await importPrivateKey(escapedPrivate);
    await expect(verifyJwt(await signJwt(claims('x'), priv, 'BLUE'), pub)).resolves.toMatchObject({ sub: 'x' });
  });

  it('throws for garbage without echoing the input', async () => {
    const garbage = '-----BEGIN PUBLIC KEY-----\nSECRETSECRETSECRET\n-----END PUBLIC KEY-----';
    const err = await importPublicKey(garbage).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect(String((err as Error).message)).not.toContain('SECRETSECRETSECRET');
    const err2 = await importPrivateKey('not a pem SECRET123').catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(TypeError);
    expect(String((err2 as Error).message)).not.toContain('SECRET123');
    // A public PEM is not a private key.
    await expect(importPrivateKey(env.JWT_PUBLIC_KEY_BLUE)).rejects.toThrow(TypeError);
  });
});

describe('34: extractWebSocketToken', () => {
  const req = (protocols?: string) => new Request('https://x/', protocols === undefined ? {} : { headers: { 'Sec-WebSocket-Protocol': protocols } });
  it('finds the token among other protocols and alone; null without header or entry', () => {
    expect(extractWebSocketToken(req('lmz, lmz.access-token.abc.def.ghi , other'))).toBe('abc.def.ghi');
    expect(extractWebSocketToken(req('lmz.access-token.tok'))).toBe('tok');
    expect(extractWebSocketToken(req())).toBeNull();
    expect(extractWebSocketToken(req('lmz, chat'))).toBeNull();
  });
});

describe('36: verifyWebSocketToken', () => {
  it('valid, expired (expired:true), bad signature (not expired), malformed, empty, no keys', async () => {
    const k = await testKeys();
    const keys = [k.bluePublic, k.greenPublic];
    await expect(verifyWebSocketToken(await blueToken(claims('ws-user')), keys)).resolves.toMatchObject({ valid: true, userId: 'ws-user' });
    await expect(verifyWebSocketToken(await blueToken(claims('u', -10)), keys)).resolves.toEqual({ valid: false, error: 'Token expired', expired: true });
    // An expired token with a forged signature is not reported as expired.
    const forged = await signJwt(claims('u', -10), k.retiredPrivate, 'BLUE');
    const bad = await verifyWebSocketToken(forged, keys);
    expect(bad.valid).toBe(false);
    expect(bad).not.toHaveProperty('expired');
    await expect(verifyWebSocketToken('abc', keys)).resolves.toEqual({ valid: false, error: 'Malformed token' });
    await expect(verifyWebSocketToken('', keys)).resolves.toEqual({ valid: false, error: 'No token provided' });
    await expect(verifyWebSocketToken(await blueToken(), [])).resolves.toEqual({ valid: false, error: 'No public keys configured' });
    const { sub: _s, ...noSub } = claims();
    await expect(verifyWebSocketToken(await blueToken(noSub), keys)).resolves.toEqual({ valid: false, error: 'Token has no subject' });
  });
});

describe('37: getTokenTtl and WS_CLOSE_CODES', () => {
  it('remaining seconds, 0 when past, Infinity without exp; close codes', () => {
    expect(getTokenTtl({ exp: nowSeconds() + 100 })).toBeGreaterThanOrEqual(99);
    expect(getTokenTtl({ exp: nowSeconds() + 100 })).toBeLessThanOrEqual(100);
    expect(getTokenTtl({ exp: nowSeconds() - 5 })).toBe(0);
    expect(getTokenTtl({})).toBe(Infinity);
    expect(WS_CLOSE_CODES).toEqual({ NO_TOKEN: 4400, TOKEN_EXPIRED: 4401, UNAUTHORIZED: 4403 });
  });
});

describe('60: §8 mechanics without timing', () => {
  it('missing, oversized and malformed tokens are refused without any crypto.subtle.verify call', async () => {
    const { bluePublic } = await testKeys();
    const verify = vi.spyOn(crypto.subtle, 'verify');
    const big = 'a'.repeat(4000) + '.' + 'b'.repeat(4000) + '.' + 'c'.repeat(1300);
    for (const t of ['', big, 'x.y', 'not-a-jwt', `${b64url({ alg: 'none' })}.${b64url({ sub: 'x' })}.sig`]) {
      await expect(verifyJwt(t, bluePublic)).resolves.toBeNull();
    }
    expect(verify).not.toHaveBeenCalled();
  });
});
