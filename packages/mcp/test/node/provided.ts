/** What the mcp:node global setup hands to the tests. */
declare module 'vitest' {
  export interface ProvidedContext {
    mcpDevUrl: string;
    mcpPrivateKeyPem: string;
  }
}
export {};
