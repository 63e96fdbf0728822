/**
 * Standalone plain-object codecs for one RequestSync or ResponseSync (spec §3.9): headers inline
 * as name/value pairs, the body through a nested `preprocess`, no table wrapper.
 */
import { headerProblem } from './header-error.ts';
import { StructuredCloneDecodeError } from './errors.ts';
import { postprocess } from './postprocess.ts';
import { preprocess } from './preprocess.ts';
import { RequestSync, REQUEST_DEFAULTS, REQUEST_OPTIONAL_FIELDS, requestSyncBody } from './request-sync.ts';
import { ResponseSync, responseSyncBody } from './response-sync.ts';
import type { LmzIntermediate, RequestSyncInit, ResponseSyncInit } from './types.ts';

/** The plain-object form of one RequestSync. */
export interface EncodedRequestSync {
  url: string;
  method: string;
  headers: [string, string][];
  body: LmzIntermediate;
  credentials?: string;
  mode?: string;
  cache?: string;
  redirect?: string;
  referrer?: string;
  referrerPolicy?: string;
  integrity?: string;
  keepalive?: boolean;
}

/** The plain-object form of one ResponseSync. */
export interface EncodedResponseSync {
  status: number;
  statusText: string;
  headers: [string, string][];
  body: LmzIntermediate;
  url?: string;
  redirected?: boolean;
  type?: string;
}

const hasOwn = Object.prototype.hasOwnProperty;

function pairs(headers: Headers): [string, string][] {
  const out: [string, string][] = [];
  const getSetCookie = (headers as { getSetCookie?: () => string[] }).getSetCookie;
  const split = typeof getSetCookie === 'function';
  headers.forEach((value, name) => {
    if (!(split && name === 'set-cookie')) out.push([name, value]);
  });
  if (split) for (const cookie of getSetCookie.call(headers)) out.push(['set-cookie', cookie]);
  return out;
}

function fail(what: string, problem: string): StructuredCloneDecodeError {
  return new StructuredCloneDecodeError('BAD_PAYLOAD', `structured-clone: cannot decode ${what}: ${problem}`);
}

function headersFrom(value: unknown, what: string): Headers {
  if (!Array.isArray(value)) throw fail(what, 'headers must be an array of [name, value] pairs');
  const headers = new Headers();
  for (const pair of value) {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') {
      throw fail(what, 'each header must be a [name, value] pair of strings');
    }
    try {
      headers.append(pair[0], pair[1]);
    } catch {
      // Never the platform's message: it quotes the value, which may be a credential.
      throw fail(what, headerProblem(pair[0]));
    }
  }
  return headers;
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail(what, 'input must be an object');
  return value as Record<string, unknown>;
}

/**
 * Encodes one RequestSync as a standalone plain object (JSON-compatible).
 *
 * @example const data = encodeRequestSync(new RequestSync('https://example.com/')); // decodeRequestSync(data)
 */
export function encodeRequestSync(request: RequestSync): EncodedRequestSync {
  if (!(request instanceof RequestSync)) throw new TypeError('encodeRequestSync: expected a RequestSync');
  const out: EncodedRequestSync = {
    url: request.url,
    method: request.method,
    headers: pairs(request.headers),
    body: preprocess(requestSyncBody(request)),
  };
  for (const field of REQUEST_OPTIONAL_FIELDS) {
    const value = request[field];
    if (value !== REQUEST_DEFAULTS[field]) (out as unknown as Record<string, unknown>)[field] = value;
  }
  return out;
}

/**
 * Decodes the output of `encodeRequestSync` into a new RequestSync.
 *
 * @example const copy = decodeRequestSync(encodeRequestSync(request));
 */
export function decodeRequestSync(data: EncodedRequestSync): RequestSync {
  const p = record(data, 'request-sync');
  if (typeof p.url !== 'string' || typeof p.method !== 'string') throw fail('request-sync', 'url and method must be strings');
  const init: Record<string, unknown> = {
    method: p.method,
    headers: headersFrom(p.headers, 'request-sync'),
    body: postprocess(p.body as LmzIntermediate),
  };
  for (const field of REQUEST_OPTIONAL_FIELDS) if (hasOwn.call(p, field)) init[field] = p[field];
  return new RequestSync(p.url, init as RequestSyncInit);
}

/**
 * Encodes one ResponseSync as a standalone plain object (JSON-compatible).
 *
 * @example const data = encodeResponseSync(new ResponseSync('hi')); // decodeResponseSync(data)
 */
export function encodeResponseSync(response: ResponseSync): EncodedResponseSync {
  if (!(response instanceof ResponseSync)) throw new TypeError('encodeResponseSync: expected a ResponseSync');
  const out: EncodedResponseSync = {
    status: response.status,
    statusText: response.statusText,
    headers: pairs(response.headers),
    body: preprocess(responseSyncBody(response)),
  };
  if (response.url !== '') out.url = response.url;
  if (response.redirected) out.redirected = true;
  if (response.type !== 'default') out.type = response.type;
  return out;
}

/**
 * Decodes the output of `encodeResponseSync` into a new ResponseSync.
 *
 * @example const copy = decodeResponseSync(encodeResponseSync(response));
 */
export function decodeResponseSync(data: EncodedResponseSync): ResponseSync {
  const p = record(data, 'response-sync');
  const init: Record<string, unknown> = { headers: headersFrom(p.headers, 'response-sync') };
  for (const field of ['status', 'statusText', 'url', 'redirected', 'type']) if (hasOwn.call(p, field)) init[field] = p[field];
  return new ResponseSync(postprocess(p.body as LmzIntermediate) as object | null, init as ResponseSyncInit);
}
