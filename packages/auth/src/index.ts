/**
 * @lumenize/auth — passwordless magic-link login, Ed25519 JWTs with BLUE/GREEN rotation, rotating
 * refresh cookies, HTTP and WebSocket middleware for routeDORequest, rate limits. See docs/auth.md.
 */
export { LumenizeAuth } from './lumenize-auth.ts';
export { createAuthRoutes } from './create-auth-routes.ts';
export { createAuthMiddleware } from './auth-middleware.ts';
export { createWebSocketAuthMiddleware } from './websocket-auth-middleware.ts';
export { extractWebSocketToken, verifyWebSocketToken, getTokenTtl, WS_CLOSE_CODES, type WebSocketTokenVerifyResult } from './websocket-token.ts';
export { signJwt, verifyJwt, verifyJwtWithRotation, parseJwtUnsafe } from './jwt.ts';
export { importPrivateKey, importPublicKey } from './keys.ts';
export { ConsoleEmailService } from './console-email-service.ts';
export { HttpEmailService } from './http-email-service.ts';
export { MockEmailService } from './mock-email-service.ts';
export { createDefaultEmailService } from './default-email-service.ts';
export { checkRateLimit } from '@lumenize/utils';
export { testLoginWithMagicLink } from './test-login.ts';
export type { AuthConfig } from './config.ts';
export type { AuthMiddlewareConfig, WebSocketAuthMiddlewareConfig, AuthContext } from './middleware-core.ts';
export type { JwtHeader, JwtPayload, VerifyOptions } from './jwt-types.ts';
export type { User, UserEmail } from './user-types.ts';
export type { EmailService, EmailContext, HttpEmailServiceOptions } from './email-types.ts';
export type { LoginResponse } from './handlers/refresh.ts';
export type { AuthError } from './auth-error.ts';
