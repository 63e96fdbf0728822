/**
 * URL and request builders for the test endpoints (spec testing §2.6, §4):
 * `{baseUrl}/test-endpoints-do/{instanceName}{path}[?token=…]`.
 */
import { TEST_ENDPOINTS_SEGMENT } from './handler.ts';
import { TOKEN_HEADER } from './token.ts';

/**
 * Builds an endpoint URL; the token, when given, goes in `?token=` (or `&token=`).
 * Example: `buildTestEndpointUrl('https://t.test', '/uuid', 'a')` → `https://t.test/test-endpoints-do/a/uuid`.
 */
export function buildTestEndpointUrl(baseUrl: string, path: string, instanceName: string, token?: string): string {
  if (typeof instanceName !== 'string' || instanceName === '') throw new TypeError('buildTestEndpointUrl: instanceName must be a non-empty string');
  const base = baseUrl.replace(/\/+$/, '');
  const rest = path.startsWith('/') ? path : `/${path}`;
  let url = `${base}/${TEST_ENDPOINTS_SEGMENT}/${encodeURIComponent(instanceName)}${rest}`;
  if (token !== undefined) url += `${rest.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
  return url;
}

/** What `createTestEndpoints` returns. */
export interface TestEndpoints {
  buildUrl(path: string): string;
  createRequest(path: string, init?: RequestInit): Request;
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

/**
 * Endpoint helpers bound to one instance. `createRequest` sends the token as `X-Test-Token`.
 * Example: `const te = createTestEndpoints(undefined, 'https://t.test', 'a', SELF.fetch.bind(SELF))`.
 */
export function createTestEndpoints(token: string | undefined, baseUrl: string, instanceName = 'default', fetchFn?: typeof fetch): TestEndpoints {
  const doFetch = fetchFn ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const createRequest = (path: string, init?: RequestInit): Request => {
    const request = new Request(buildTestEndpointUrl(baseUrl, path, instanceName), init);
    if (token !== undefined) request.headers.set(TOKEN_HEADER, token);
    return request;
  };
  return {
    buildUrl: (path) => buildTestEndpointUrl(baseUrl, path, instanceName, token),
    createRequest,
    fetch: (path, init) => doFetch(createRequest(path, init)),
  };
}
