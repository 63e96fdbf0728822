/**
 * `testEndpointsHandler`: the Worker `fetch` that routes `/{binding}/{instance}/{endpoint}` to the
 * TestEndpointsDO bound as `TEST_ENDPOINTS_DO` (segment `test-endpoints-do`).
 */
import { routeDORequest } from '@lumenize/utils';

/** Binding name the handler routes to. */
export const TEST_ENDPOINTS_BINDING = 'TEST_ENDPOINTS_DO';
/** Its URL segment. */
export const TEST_ENDPOINTS_SEGMENT = 'test-endpoints-do';

/**
 * A standalone deployment's default export, or mounted in a test Worker:
 * `export default testEndpointsHandler`. Other paths get 404 `Not Found`. Docs: docs/testing.md.
 */
export const testEndpointsHandler = {
  async fetch(request: Request, env: unknown): Promise<Response> {
    const routed = await routeDORequest(request, env as object, { bindings: [TEST_ENDPOINTS_BINDING], allowIdAddressing: false });
    return routed ?? new Response('Not Found', { status: 404 });
  },
} satisfies ExportedHandler;
