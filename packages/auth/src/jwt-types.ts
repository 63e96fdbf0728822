/** JWT shapes and verification options shared by signing, verification and the middlewares. */

/** The protected header of a compact JWT. Ours is always `{ alg: 'EdDSA', typ: 'JWT', kid }`. */
export interface JwtHeader {
  alg: string;
  typ?: string;
  kid?: string;
  [parameter: string]: unknown;
}

/**
 * JWT claims. Tokens issued by `LumenizeAuth` carry exactly `iss`, `aud`, `sub`, `exp`, `iat`, `jti`;
 * custom issuers may add their own claims (forwarded by the middlewares as `X-Auth-Claims`).
 */
export interface JwtPayload {
  iss?: string;
  aud?: string | string[];
  sub?: string;
  exp?: number;
  iat?: number;
  nbf?: number;
  jti?: string;
  [claim: string]: unknown;
}

/** Optional checks for `verifyJwt`, `verifyJwtWithRotation` and `verifyWebSocketToken`. */
export interface VerifyOptions {
  /** Expected `aud` (the token's `aud` may be a string or an array containing it). */
  audience?: string;
  /** Expected `iss`. */
  issuer?: string;
  /** Seconds of clock skew tolerated for `exp`, `nbf` and `iat` (default 0). */
  clockToleranceSeconds?: number;
}
