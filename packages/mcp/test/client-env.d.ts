// Bindings of the MCP client tests (merged into Cloudflare.Env; see client-nodes.ts).
declare namespace Cloudflare {
  interface Env {
    MCP_CLIENT_DO: DurableObjectNamespace<import('./client-nodes.ts').McpClientDO>;
    MCP_HOLD: DurableObjectNamespace<import('./client-nodes.ts').McpHoldDO>;
    MCP_CLIENT_EXECUTOR: Service<import('../src/index.ts').McpClientExecutor>;
    MCP_UPSTREAM: Fetcher;
    MCP_FAULTY: Fetcher;
    MCP_TINY: Fetcher;
    MCP_CLIENT_WORKER: Service<import('./client-nodes.ts').McpClientWorker>;
  }
}
