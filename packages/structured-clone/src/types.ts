/**
 * Public types of @lumenize/structured-clone (spec §2).
 */

/**
 * The tier-2 form: JSON-compatible data that `postprocess` turns back into a value graph.
 * `root` is an encoded value; `objects` is the table of every object in the graph.
 *
 * @example const data: LmzIntermediate = preprocess(new Map([[1, 'a']]));
 */
export interface LmzIntermediate {
  root: unknown;
  objects: unknown[];
}

/**
 * One step from the root to a value: a property name (`get`) or an array position (`index`).
 *
 * @example [{ type: 'get', key: 'user' }, { type: 'index', key: 2 }] // .user[2]
 */
export interface PathElement {
  type: 'get' | 'index';
  key: string | number;
}

/**
 * What a transform hook learns about the value it is offered. `path` is computed on first read.
 *
 * @example transform: (v, ctx) => (typeof v === 'function' ? { fn: ctx.path } : TRANSFORM_SKIP)
 */
export interface PreprocessContext {
  readonly path: PathElement[];
}

/**
 * A hook called before default encoding for every primitive and the first encounter of every
 * object or function. Return `TRANSFORM_SKIP` to decline, or a replacement value to encode instead.
 *
 * @example const t: PreprocessTransform = (v) => (typeof v === 'function' ? 'fn' : TRANSFORM_SKIP);
 */
export type PreprocessTransform = (value: unknown, context: PreprocessContext) => unknown;

/**
 * Options of `preprocess` and `stringify`.
 *
 * @example stringify(value, { transform: (v) => TRANSFORM_SKIP })
 */
export interface PreprocessOptions {
  transform?: PreprocessTransform;
}

/**
 * A body `RequestSync`/`ResponseSync` can hold: text, bytes, a JSON-compatible object or array
 * (which may also hold rich types when it travels through this codec), or no body.
 *
 * @example const body: SerializableBody = { hello: 'world' };
 */
export type SerializableBody = string | ArrayBuffer | object | null;

/** `credentials` values of the Fetch standard. */
export type RequestSyncCredentials = 'omit' | 'same-origin' | 'include';
/** `mode` values of the Fetch standard that a request may be constructed with. */
export type RequestSyncMode = 'same-origin' | 'no-cors' | 'cors';
/** `cache` values of the Fetch standard. */
export type RequestSyncCache = 'default' | 'no-store' | 'reload' | 'no-cache' | 'force-cache' | 'only-if-cached';
/** `redirect` values of the Fetch standard. */
export type RequestSyncRedirect = 'follow' | 'error' | 'manual';
/** `referrerPolicy` values of the Fetch standard. */
export type RequestSyncReferrerPolicy =
  | ''
  | 'no-referrer'
  | 'no-referrer-when-downgrade'
  | 'same-origin'
  | 'origin'
  | 'strict-origin'
  | 'origin-when-cross-origin'
  | 'strict-origin-when-cross-origin'
  | 'unsafe-url';
/** `type` values a captured response may carry. */
export type ResponseSyncType = 'basic' | 'cors' | 'default' | 'error' | 'opaque' | 'opaqueredirect';

/** Anything the platform `Headers` constructor accepts. */
export type HeadersSyncInit = Headers | [string, string][] | Record<string, string>;

/**
 * Init of `RequestSync`: the fields of `RequestInit` that are plain data, plus `signal`
 * (kept for `toRequest()`, never serialized).
 *
 * @example new RequestSync('https://example.com/api', { method: 'POST', body: { id: 1 } })
 */
export interface RequestSyncInit {
  method?: string;
  headers?: HeadersSyncInit;
  body?: SerializableBody | ArrayBufferView;
  credentials?: RequestSyncCredentials;
  mode?: RequestSyncMode;
  cache?: RequestSyncCache;
  redirect?: RequestSyncRedirect;
  referrer?: string;
  referrerPolicy?: RequestSyncReferrerPolicy;
  integrity?: string;
  keepalive?: boolean;
  signal?: AbortSignal | null;
}

/**
 * Init of `ResponseSync`: `ResponseInit` plus the captured-only `url`, `redirected` and `type`.
 *
 * @example new ResponseSync('created', { status: 201, headers: { 'content-type': 'text/plain' } })
 */
export interface ResponseSyncInit {
  status?: number;
  statusText?: string;
  headers?: HeadersSyncInit;
  url?: string;
  redirected?: boolean;
  type?: ResponseSyncType;
}
