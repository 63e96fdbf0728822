declare namespace Cloudflare {
  interface Env {
    TEST_ENDPOINTS_DO: DurableObjectNamespace<import('../../src/test-endpoints/index.ts').TestEndpointsDO>;
    TOKEN_ENDPOINTS_DO: DurableObjectNamespace<import('./worker.ts').TokenEndpointsDO>;
  }
}
