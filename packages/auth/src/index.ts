/**
 * @lumenize/auth — passwordless magic-link login, Ed25519 JWTs with BLUE/GREEN rotation, rotating
 * refresh cookies, HTTP and WebSocket middleware for routeDORequest, rate limits. See docs/auth.md.
 */
export { signJwt, verifyJwt, verifyJwtWithRotation, parseJwtUnsafe } from './jwt.ts';
export { importPrivateKey, importPublicKey } from './keys.ts';
export { extractWebSocketToken, verifyWebSocketToken, getTokenTtl, WS_CLOSE_CODES, type WebSocketTokenVerifyResult } from './websocket-token.ts';
export type { JwtHeader, JwtPayload, VerifyOptions } from './jwt-types.ts';
