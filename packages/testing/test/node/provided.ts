/** The `wrangler dev` URL the testing:node global setup provides to the live-mode tests. */
declare module 'vitest' {
  export interface ProvidedContext {
    testingLiveUrl: string;
  }
}
export {};
