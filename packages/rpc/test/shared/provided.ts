/** The `wrangler dev` URL the global setup provides to Node and Chromium tests. */
declare module 'vitest' {
  export interface ProvidedContext {
    rpcDevUrl: string;
  }
}
export {};
