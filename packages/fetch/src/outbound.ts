/**
 * One outbound request → exactly one `ResponseSync` or `Error`, never a throw (spec fetch §3.3):
 * shared by the executor (proxy) and by `direct`. The body is read whole, once.
 */
import { RequestSync, ResponseSync } from '@lumenize/structured-clone';
import { IDEMPOTENCY_HEADER } from './limits.ts';
import { safeUrl } from '@lumenize/utils';

/** What performs the request: global `fetch` or a Fetcher binding's `fetch`. */
export type FetchFn = (request: Request) => Promise<Response>;

/** The fetch function for an optional outbound binding on `env`; an Error when it is missing. */
export function fetcherFor(env: object, outboundBinding: string | undefined): FetchFn | Error {
  if (outboundBinding === undefined) return (request) => fetch(request);
  const fetcher = (env as Record<string, unknown>)[outboundBinding] as { fetch?: unknown } | undefined;
  if (fetcher === undefined || fetcher === null || typeof fetcher.fetch !== 'function') {
    return new Error(`Missing outbound binding '${outboundBinding}': env has no Fetcher (service binding) with that name`);
  }
  return (request) => (fetcher as Fetcher).fetch(request);
}

function abortError(url: string, timeout: number): Error {
  const error = new Error(`Fetch aborted: no response from ${safeUrl(url)} within the ${timeout} ms timeout`);
  error.name = 'AbortError';
  return error;
}


function toNative(request: string | RequestSync, idempotencyKey: string | undefined, signal: AbortSignal): Request {
  const native = typeof request === 'string' ? new Request(request, { signal }) : request.toRequest({ signal });
  if (idempotencyKey !== undefined) native.headers.set(IDEMPOTENCY_HEADER, idempotencyKey);
  return native;
}

/**
 * Performs the request with an abort timer of `timeout` ms. HTTP statuses of any kind are
 * responses; DNS/connection/TLS failures, the abort and body conversion failures are Errors.
 */
export async function performFetch(request: string | RequestSync, fetchFn: FetchFn | Error, timeout: number, idempotencyKey?: string): Promise<ResponseSync | Error> {
  if (fetchFn instanceof Error) return fetchFn;
  const url = typeof request === 'string' ? request : request.url;
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeout);
  try {
    let response: Response;
    try {
      response = await fetchFn(toNative(request, idempotencyKey, controller.signal));
    } catch (error) {
      if (timedOut) return abortError(url, timeout);
      return error instanceof Error ? error : new Error(`Fetch failed: ${String(error)}`);
    }
    try {
      return await ResponseSync.fromResponse(response);
    } catch (error) {
      if (timedOut) return abortError(url, timeout);
      const message = error instanceof Error ? error.message : String(error);
      return new Error(`Fetch response from ${safeUrl(url)} could not be read or converted: ${message}`, { cause: error });
    }
  } finally {
    clearTimeout(timer);
  }
}
