/**
 * The WebSocket token contract (spec §3.11): browsers cannot set headers on upgrades, so clients
 * offer the subprotocols `lmz` and `lmz.access-token.<jwt>`.
 */
import { verifyDetailed } from './jwt.ts';
import type { JwtPayload, VerifyOptions } from './jwt-types.ts';

/** Prefix of the subprotocol entry that carries the access token. */
export const TOKEN_PROTOCOL_PREFIX = 'lmz.access-token.';

/**
 * Close codes for custom clients and gateways; mirror mesh §5.3 (which owns them).
 * 4400: no token (log in), 4401: token expired (refresh and reconnect), 4403: invalid (log in).
 */
export const WS_CLOSE_CODES = Object.freeze({ NO_TOKEN: 4400, TOKEN_EXPIRED: 4401, UNAUTHORIZED: 4403 } as const);

/** Result of `verifyWebSocketToken`. `expired` is set only for a token whose signature verified. */
export type WebSocketTokenVerifyResult =
  | { valid: true; userId: string; payload: JwtPayload }
  | { valid: false; error: string; expired?: boolean };

/** Splits a `Sec-WebSocket-Protocol` header into trimmed, non-empty entries. */
export function splitProtocols(header: string | null): string[] {
  if (!header) return [];
  return header.split(',').map((p) => p.trim()).filter((p) => p !== '');
}

/**
 * Returns the access token offered as `lmz.access-token.<jwt>` in `Sec-WebSocket-Protocol`, or `null`.
 * @example const token = extractWebSocketToken(request); // 'eyJ...' or null
 */
export function extractWebSocketToken(request: Request): string | null {
  const entry = splitProtocols(request.headers.get('Sec-WebSocket-Protocol')).find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX));
  return entry === undefined ? null : entry.slice(TOKEN_PROTOCOL_PREFIX.length);
}

const DESCRIPTIONS: Record<string, string> = {
  malformed: 'Malformed token',
  invalid_signature: 'Invalid token signature',
  expired: 'Token expired',
  missing_exp: 'Token has no expiry',
  not_yet_valid: 'Token not yet valid',
  audience_mismatch: 'Token audience mismatch',
  issuer_mismatch: 'Token issuer mismatch',
  invalid_claims: 'Invalid token claims',
  no_keys: 'No public keys configured',
};

/**
 * Verifies a token taken from an upgrade (or re-checks it per message in a custom gateway).
 * @example const r = await verifyWebSocketToken(token, keys); if (!r.valid && r.expired) ws.close(4401);
 */
export async function verifyWebSocketToken(
  token: string,
  publicKeys: CryptoKey[],
  options?: VerifyOptions,
): Promise<WebSocketTokenVerifyResult> {
  if (typeof token !== 'string' || token === '') return { valid: false, error: 'No token provided' };
  if (!Array.isArray(publicKeys) || publicKeys.filter(Boolean).length === 0) return { valid: false, error: DESCRIPTIONS.no_keys };
  const outcome = await verifyDetailed(token, publicKeys, options);
  if (!outcome.ok) {
    return outcome.reason === 'expired'
      ? { valid: false, error: DESCRIPTIONS.expired, expired: true }
      : { valid: false, error: DESCRIPTIONS[outcome.reason] };
  }
  const sub = outcome.payload.sub;
  if (typeof sub !== 'string' || sub === '') return { valid: false, error: 'Token has no subject' };
  return { valid: true, userId: sub, payload: outcome.payload };
}

/** Human-readable description of a verification failure reason. */
export function describeFailure(reason: keyof typeof DESCRIPTIONS | string): string {
  return DESCRIPTIONS[reason] ?? 'Invalid token';
}

/**
 * Seconds until the token's `exp` (0 when past, `Infinity` without `exp`), for scheduling socket expiry.
 * @example setTimeout(close, getTokenTtl(payload) * 1000);
 */
export function getTokenTtl(payload: { exp?: number }): number {
  if (typeof payload?.exp !== 'number') return Infinity;
  return Math.max(0, Math.floor(payload.exp - Date.now() / 1000));
}
