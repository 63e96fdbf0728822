declare namespace Cloudflare {
  interface Env {
    MCP_SESSION: DurableObjectNamespace<import('./nodes.ts').McpSessionDO>;
    MCP_RESOURCES: DurableObjectNamespace<import('./nodes.ts').McpResourceDO>;
    JWT_PUBLIC_KEY: string;
    JWT_PUBLIC_KEY_B64?: string;
    JWT_PRIVATE_KEY: string;
  }
}
