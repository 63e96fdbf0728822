/**
 * `LumenizeAuth`: the magic-link login Durable Object (a mesh `LumenizeDO`). One instance holds
 * users, links and refresh tokens in SQLite; configuration lives only in memory and arrives
 * through `configure`. No method is `@mesh`, so mesh clients cannot call into it; only code
 * holding the binding can (RPC) and HTTP arrives through `createAuthRoutes`.
 */
import { debug } from '@lumenize/debug';
import { LumenizeDO } from '@lumenize/mesh';
import { AuthFailure, errorResponse } from './auth-error.ts';
import { isDevMode, resolveAuthConfig, type AuthConfig, type ResolvedAuthConfig } from './config.ts';
import { createDefaultEmailService } from './default-email-service.ts';
import { normalizeEmail } from './email-address.ts';
import type { EmailService } from './email-types.ts';
import type { AuthEnv, HandlerContext } from './handlers/context.ts';
import { dispatch, endpointSegments } from './handlers/dispatch.ts';
import { limitByBinding } from './rate-limit-binding.ts';
import { redactText } from './redact.ts';
import { KeyConfigurationError } from './signing.ts';
import { ensureSchema } from './store/schema.ts';
import { wrapSql, type Sql } from './store/sql.ts';
import { deleteAllForUser } from './store/refresh-tokens.ts';
import { getUser, userIdByVerifiedEmail } from './store/users.ts';
import type { User } from './user-types.ts';

let warnedTestMode = false;

/**
 * The auth service. Bind it as `LUMENIZE_AUTH` (SQLite class) and reach it only through
 * `createAuthRoutes`. Override `createEmailService` to choose delivery.
 * @example wrangler.jsonc: durable_objects.bindings [{ name: 'LUMENIZE_AUTH', class_name: 'LumenizeAuth' }] + new_sqlite_classes
 */
export class LumenizeAuth extends LumenizeDO<AuthEnv> {
  #config: ResolvedAuthConfig | undefined;
  #sql: Sql | undefined;
  #emailService: EmailService | undefined;
  // LumenizeDO's constructor already applied this DO's env.DEBUG to the isolate.
  readonly #log = debug('lmz.auth.LumenizeAuth');

  /** Lazy, synchronous, idempotent schema creation on first use by any entry point. */
  #db(): Sql {
    if (!this.#sql) {
      const sql = wrapSql(this.ctx.storage.sql);
      ensureSchema(sql);
      this.#sql = sql;
    }
    return this.#sql;
  }

  /**
   * Validates and keeps the configuration in memory (`createAuthRoutes` calls this on demand).
   * Throws `TypeError` naming the bad field (`magicLinkBaseUrl` is required unless env `AUTH_DEV_MODE` is `"true"`).
   */
  configure(config: Omit<AuthConfig, 'cors'>): void {
    this.#db();
    this.#config = resolveAuthConfig(config, 'lmz.auth.LumenizeAuth', isDevMode(this.env));
  }

  /** The user with this id, or `null`. */
  getUserById(userId: string): User | null {
    const sql = this.#db();
    return typeof userId === 'string' ? getUser(sql, userId) : null;
  }

  /** The user holding this verified email (case-insensitive), or `null`. */
  getUserByEmail(email: string): User | null {
    const sql = this.#db();
    const normalized = normalizeEmail(email);
    const id = normalized ? userIdByVerifiedEmail(sql, normalized) : undefined;
    return id ? getUser(sql, id) : null;
  }

  /** Trusted server-side revocation: deletes every refresh token of the user; returns how many. */
  revokeAllSessions(userId: string): number {
    const sql = this.#db();
    if (typeof userId !== 'string') throw new TypeError('revokeAllSessions(userId): userId must be a string');
    const revoked = deleteAllForUser(sql, userId);
    this.#log.info('sessions revoked', { userId, revoked, by: 'rpc' });
    return revoked;
  }

  /** Chooses email delivery; the default reads the environment (`createDefaultEmailService`). */
  protected createEmailService(env: AuthEnv): EmailService {
    return createDefaultEmailService(env);
  }

  override async fetch(request: Request): Promise<Response> {
    // LumenizeDO learns this DO's binding and instance from the routing headers (500 on a mismatch).
    const learned = await super.fetch(request);
    if (learned.status === 500) return learned;
    const sql = this.#db();
    const config = this.#config;
    if (!config) return errorResponse(503, 'not_configured', 'Auth service not configured; createAuthRoutes configures it');
    const url = new URL(request.url);
    try {
      const segments = endpointSegments(url.pathname, config.prefix);
      if (!segments) throw new AuthFailure(404, 'not_found', 'Unknown auth endpoint');
      return await dispatch(this.#context(request, url, segments, sql, config));
    } catch (error) {
      if (error instanceof AuthFailure) return errorResponse(error.status, error.code, error.message, error.headers);
      const e = error as Error;
      // Path and method only: the query string may hold a one-time token.
      this.#log.error(error instanceof KeyConfigurationError ? 'signing keys misconfigured' : 'unexpected failure', {
        path: url.pathname,
        method: request.method,
        errorName: e?.name,
        message: redactText(e?.message),
      });
      return errorResponse(500, 'server_error', 'Internal error');
    }
  }

  #context(request: Request, url: URL, segments: string[], sql: Sql, config: ResolvedAuthConfig): HandlerContext {
    const env = this.env;
    const testModeEnabled = env.AUTH_TEST_MODE === 'true';
    if (testModeEnabled && !warnedTestMode) {
      warnedTestMode = true;
      this.#log.warn('AUTH_TEST_MODE is true: magic links can be returned in responses. Never enable it in production.');
    }
    return {
      request,
      url,
      segments,
      sql,
      env,
      config,
      now: Date.now(),
      log: this.#log,
      testMode: testModeEnabled && url.searchParams.get('_test') === 'true',
      emailService: () => (this.#emailService ??= this.createEmailService(env)),
      rateLimit: (tier, key) => {
        const name = config.rateLimit[tier];
        return name === false ? Promise.resolve(true) : limitByBinding(env, name, tier, key);
      },
    };
  }
}
