/** Test helpers: an auth setup per test (own DO instance) and the common HTTP steps. */
import { env } from 'cloudflare:test';
import { expect } from 'vitest';
import { debug, type DebugLogOutput } from '@lumenize/debug';
import { createAuthRoutes, type AuthConfig } from '../../src/index.ts';

export const ORIGIN = 'https://app.example';

type AuthBinding = 'LUMENIZE_AUTH' | 'MOCK_EMAIL_AUTH' | 'NO_TEST_MODE_AUTH' | 'FAILING_EMAIL_AUTH' | 'GREEN_AUTH' | 'LOGGING_AUTH' | 'BAD_PRIMARY_AUTH' | 'DEV_MODE_AUTH' | 'ECHOING_PROVIDER_AUTH';

export interface TestAuth {
  /** The `createAuthRoutes` handler. */
  routes: (request: Request) => Promise<Response | undefined>;
  /** `fetch` through the routes (404 when they decline). */
  fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  stub: DurableObjectStub<import('../worker.ts').MockEmailAuth>;
  instanceName: string;
  prefix: string;
  url: (path: string) => string;
}

/**
 * Fresh DO instance per call, so tests never share users or tokens. `magicLinkBaseUrl` defaults to
 * `ORIGIN` (pass it explicitly as `undefined` to leave it out); `extraEnv` overrides Worker env vars.
 */
export function makeAuth(config: Partial<AuthConfig> = {}, binding: AuthBinding = 'LUMENIZE_AUTH', extraEnv: Record<string, unknown> = {}): TestAuth {
  const instanceName = config.instanceName ?? `t-${crypto.randomUUID()}`;
  const prefix = config.prefix ?? '/auth';
  const magicLinkBaseUrl = 'magicLinkBaseUrl' in config ? config.magicLinkBaseUrl : ORIGIN;
  const routes = createAuthRoutes({ ...env, ...extraEnv }, { redirect: '/app', ...config, magicLinkBaseUrl, instanceName, gatewayBindingName: binding });
  const fetchFn = async (input: string | URL | Request, init?: RequestInit) => (await routes(new Request(input, init))) ?? new Response('declined', { status: 404 });
  const ns = env[binding] as unknown as DurableObjectNamespace<import('../worker.ts').MockEmailAuth>;
  return { routes, fetch: fetchFn, stub: ns.get(ns.idFromName(instanceName)), instanceName, prefix, url: (path) => `${ORIGIN}${prefix}${path}` };
}

/** Requests a link in test mode and returns it. */
export async function requestLink(auth: TestAuth, email: string): Promise<string> {
  const response = await auth.fetch(auth.url('/email-magic-link?_test=true'), { method: 'POST', body: JSON.stringify({ email }) });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { magic_link: string };
  expect(body.magic_link).toBeTypeOf('string');
  return body.magic_link;
}

/** The `refresh-token` value from a `Set-Cookie` header. */
export function cookieToken(response: Response): string {
  const header = response.headers.get('Set-Cookie') ?? '';
  const match = /^refresh-token=([^;]*)/.exec(header);
  expect(match, `Set-Cookie: ${header}`).not.toBeNull();
  return match![1];
}

/** Logs in by email and returns the refresh token. */
export async function login(auth: TestAuth, email: string): Promise<string> {
  const link = await requestLink(auth, email);
  const response = await auth.fetch(link, { redirect: 'manual' });
  expect(response.status).toBe(302);
  return cookieToken(response);
}

/** POST refresh-token with the given cookie value. */
export function refreshWith(auth: TestAuth, token: string | null): Promise<Response> {
  return auth.fetch(auth.url('/refresh-token'), { method: 'POST', headers: token === null ? {} : { Cookie: `refresh-token=${token}` } });
}

/** Logs in and returns `{ userId, accessToken, refreshToken }`. */
export async function loginWithAccess(auth: TestAuth, email: string): Promise<{ userId: string; accessToken: string; refreshToken: string }> {
  const first = await login(auth, email);
  const response = await refreshWith(auth, first);
  expect(response.status).toBe(200);
  const body = (await response.json()) as { access_token: string };
  const payload = JSON.parse(atob(body.access_token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))) as { sub: string };
  return { userId: payload.sub, accessToken: body.access_token, refreshToken: cookieToken(response) };
}

/** An error response's JSON body. */
export async function errorOf(response: Response): Promise<{ error: string; error_description: string }> {
  return (await response.json()) as { error: string; error_description: string };
}

/** Rows of a table in the auth DO. */
export async function rows<T = Record<string, unknown>>(auth: TestAuth, query: string, ...params: (string | number | null)[]): Promise<T[]> {
  const { runInDurableObject } = await import('cloudflare:test');
  return runInDurableObject(auth.stub, (_instance, state) => state.storage.sql.exec(query, ...params).toArray() as T[]);
}

/** Collects log records (the DO and the tests share one isolate, hence one debug sink). */
export function captureLogs(): { records: DebugLogOutput[]; restore: () => void } {
  const records: DebugLogOutput[] = [];
  debug.setOutput((record) => records.push(record));
  return { records, restore: () => debug.reset() };
}
