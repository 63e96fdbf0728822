declare namespace Cloudflare {
  interface Env {
    DEBUG: string;
    FETCH_DO: DurableObjectNamespace<import('./nodes.ts').FetchTestDO>;
    NOID_DO: DurableObjectNamespace<import('./nodes.ts').NoIdentityDO>;
    PLAIN_DO: DurableObjectNamespace<import('./nodes.ts').PlainFetchDO>;
    HOSTILE_DO: DurableObjectNamespace<import('./nodes.ts').HostileDO>;
    TEST_ENDPOINTS_DO: DurableObjectNamespace<import('@lumenize/testing/test-endpoints').TestEndpointsDO>;
    FETCH_EXECUTOR: Service<import('../src/index.ts').FetchExecutorEntrypoint>;
    OTHER_EXECUTOR: Service<import('../src/index.ts').FetchExecutorEntrypoint>;
    TEST_ENDPOINTS: Fetcher;
    BROKEN_UPSTREAM: Fetcher;
    HOSTILE_WORKER: Service<import('./nodes.ts').HostileWorker>;
  }
}
