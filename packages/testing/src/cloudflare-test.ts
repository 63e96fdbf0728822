/**
 * Lazy access to `cloudflare:test`, so this package can be imported outside workerd (Node, live
 * mode) and fails only when an in-process feature is actually used.
 */

/** The parts of `cloudflare:test` this package uses (typed here so Node-side type checks need no pool types). */
export interface CloudflareTestModule {
  SELF: { fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> };
  env: Record<string, unknown>;
  evictDurableObject(stub: DurableObjectStub, options?: { webSockets?: 'close' | 'hibernate' }): Promise<void>;
  runInDurableObject<R>(stub: DurableObjectStub, callback: (instance: object, state: DurableObjectState) => R | Promise<R>): Promise<R>;
  runDurableObjectAlarm(stub: DurableObjectStub): Promise<boolean>;
}

let loading: Promise<CloudflareTestModule> | undefined;

/** True inside workerd (the Workers vitest pool, wrangler dev, production). */
export function isWorkerd(): boolean {
  return (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent === 'Cloudflare-Workers';
}

/** The `cloudflare:test` module, imported on first use. */
export function cloudflareTest(): Promise<CloudflareTestModule> {
  // A computed specifier keeps bundlers and Node from resolving it at load time.
  const specifier = ['cloudflare', 'test'].join(':');
  loading ??= import(/* @vite-ignore */ specifier) as Promise<CloudflareTestModule>;
  return loading;
}

/** `SELF.fetch`, resolved on the first request. */
export const selfFetch: typeof fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
  const { SELF } = await cloudflareTest();
  return SELF.fetch(input instanceof URL ? input.href : input, init);
}) as typeof fetch;
