/**
 * RequestSync: a Request-like value that holds only plain data, so it can be encoded, stored and
 * read synchronously (spec §3.9). A native `Request` exists only inside `toRequest()`.
 */
import { FetchSyncTypeError } from './errors.ts';
import { registerSyncReviver, SYNC_PARTS, type SyncParts, type SyncReviver } from './sync-parts.ts';
import {
  bodyArrayBuffer,
  bodyJson,
  bodyText,
  checkEnum,
  cloneBody,
  formDataUnsupported,
  nativeBody,
  readNativeBody,
  readSyncPayload,
  storeBody,
  toHeaders,
  type StoredBody,
} from './fetch-sync-shared.ts';
import type {
  RequestSyncCache,
  RequestSyncCredentials,
  RequestSyncInit,
  RequestSyncMode,
  RequestSyncRedirect,
  RequestSyncReferrerPolicy,
} from './types.ts';

const WHO = 'RequestSync';
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const NORMALIZED_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT'];
const FORBIDDEN_METHODS = ['CONNECT', 'TRACE', 'TRACK'];

export const CREDENTIALS: readonly RequestSyncCredentials[] = ['omit', 'same-origin', 'include'];
export const MODES: readonly RequestSyncMode[] = ['same-origin', 'no-cors', 'cors'];
export const CACHES: readonly RequestSyncCache[] = ['default', 'no-store', 'reload', 'no-cache', 'force-cache', 'only-if-cached'];
export const REDIRECTS: readonly RequestSyncRedirect[] = ['follow', 'error', 'manual'];
export const REFERRER_POLICIES: readonly RequestSyncReferrerPolicy[] = [
  '',
  'no-referrer',
  'no-referrer-when-downgrade',
  'same-origin',
  'origin',
  'strict-origin',
  'origin-when-cross-origin',
  'strict-origin-when-cross-origin',
  'unsafe-url',
];

/** Fetch-standard defaults of the optional plain-data fields. */
export const REQUEST_DEFAULTS = {
  credentials: 'same-origin',
  mode: 'cors',
  cache: 'default',
  redirect: 'follow',
  referrer: 'about:client',
  referrerPolicy: '',
  integrity: '',
  keepalive: false,
} as const;

/** Names of the optional plain-data fields, in wire order. */
export const REQUEST_OPTIONAL_FIELDS = [
  'credentials',
  'mode',
  'cache',
  'redirect',
  'referrer',
  'referrerPolicy',
  'integrity',
  'keepalive',
] as const;

type OptionalField = (typeof REQUEST_OPTIONAL_FIELDS)[number];
type OptionalValues = { -readonly [K in OptionalField]?: RequestSyncInit[K] };

function normalizeUrl(input: string | URL): string {
  let url: URL;
  try {
    url = new URL(typeof input === 'string' ? input : input.href);
  } catch {
    throw new FetchSyncTypeError(`${WHO}: the URL must be absolute and valid (no base URL is assumed)`);
  }
  return url.href;
}

function normalizeMethod(method: unknown): string {
  if (method === undefined) return 'GET';
  if (typeof method !== 'string' || !TOKEN.test(method)) throw new FetchSyncTypeError(`${WHO}: method must be an HTTP token`);
  const upper = method.toUpperCase();
  if (FORBIDDEN_METHODS.includes(upper)) throw new FetchSyncTypeError(`${WHO}: method ${upper} is forbidden`);
  return NORMALIZED_METHODS.includes(upper) ? upper : method;
}

function checkOptional(init: RequestSyncInit): OptionalValues {
  const out: OptionalValues = {};
  const credentials = checkEnum(init.credentials, CREDENTIALS, 'credentials', WHO);
  if (credentials !== undefined) out.credentials = credentials;
  if ((init.mode as string | undefined) === 'navigate') throw new FetchSyncTypeError(`${WHO}: mode 'navigate' cannot be constructed`);
  const mode = checkEnum(init.mode, MODES, 'mode', WHO);
  if (mode !== undefined) out.mode = mode;
  const cache = checkEnum(init.cache, CACHES, 'cache', WHO);
  if (cache !== undefined) out.cache = cache;
  const redirect = checkEnum(init.redirect, REDIRECTS, 'redirect', WHO);
  if (redirect !== undefined) out.redirect = redirect;
  const referrerPolicy = checkEnum(init.referrerPolicy, REFERRER_POLICIES, 'referrerPolicy', WHO);
  if (referrerPolicy !== undefined) out.referrerPolicy = referrerPolicy;
  for (const field of ['referrer', 'integrity'] as const) {
    const value: unknown = init[field];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw new FetchSyncTypeError(`${WHO}: ${field} must be a string`);
    out[field] = value;
  }
  if (init.keepalive !== undefined) {
    if (typeof init.keepalive !== 'boolean') throw new FetchSyncTypeError(`${WHO}: keepalive must be a boolean`);
    out.keepalive = init.keepalive;
  }
  return out;
}

/** Package-internal: builds a RequestSync from a decoded `request-sync` entry (sync-parts.ts). */
export const reviveRequestSync: SyncReviver = (p, entry) => {
  const { payload, headers, body } = readSyncPayload(p, entry);
  if (typeof payload.url !== 'string' || typeof payload.method !== 'string') throw entry.bad('url and method must be strings');
  const init: Record<string, unknown> = { method: payload.method, headers, body };
  for (const field of REQUEST_OPTIONAL_FIELDS) if (Object.hasOwn(payload, field)) init[field] = payload[field];
  return new RequestSync(payload.url as string, init as RequestSyncInit);
};

/** Package-internal: the stored body of a RequestSync (the encoder needs it; not exported publicly). */
export let requestSyncBody: (request: RequestSync) => StoredBody;

/** Package-internal brand check: true only for real instances (not objects that merely inherit). */
export let isRequestSync: (value: object) => value is RequestSync;

/**
 * A synchronous, serializable stand-in for `Request` holding plain data only.
 *
 * @example const r = new RequestSync('https://api.example.com/items', { method: 'POST', body: { id: 1 } });
 */
export class RequestSync {
  #url: string;
  #method: string;
  #headers: Headers;
  #body: StoredBody;
  #fields: OptionalValues;
  #signal: AbortSignal | null | undefined;

  static {
    requestSyncBody = (request) => request.#body;
    isRequestSync = (value) => #body in value;
    registerSyncReviver('request-sync', reviveRequestSync);
  }

  constructor(input: string | URL | RequestSync, init: RequestSyncInit = {}) {
    if (typeof Request !== 'undefined' && (input as unknown) instanceof Request) {
      throw new FetchSyncTypeError(`${WHO}: a native Request cannot be passed; use await RequestSync.fromRequest(request)`);
    }
    if (typeof init !== 'object' || init === null) throw new FetchSyncTypeError(`${WHO}: init must be an object`);
    const base = input instanceof RequestSync ? input : undefined;
    if (base === undefined && typeof input !== 'string' && !(input instanceof URL)) {
      throw new FetchSyncTypeError(`${WHO}: input must be a URL string, a URL or a RequestSync`);
    }
    this.#url = base !== undefined ? base.#url : normalizeUrl(input as string | URL);
    this.#method = init.method !== undefined ? normalizeMethod(init.method) : base !== undefined ? base.#method : 'GET';
    this.#headers =
      init.headers !== undefined ? toHeaders(init.headers, WHO) : base !== undefined ? new Headers(base.#headers) : new Headers();
    this.#body = 'body' in init && init.body !== undefined ? storeBody(init.body, WHO) : base !== undefined ? cloneBody(base.#body) : null;
    this.#fields = { ...(base !== undefined ? base.#fields : undefined), ...checkOptional(init) };
    this.#signal = 'signal' in init ? init.signal : base !== undefined ? base.#signal : undefined;
    if (this.#body !== null && (this.#method === 'GET' || this.#method === 'HEAD')) {
      throw new FetchSyncTypeError(`${WHO}: a ${this.#method} request cannot have a body`);
    }
  }

  /** Reads a native Request's body once and captures it as plain data. Rejects a used body. */
  static async fromRequest(request: Request): Promise<RequestSync> {
    const body = await readNativeBody(request, `${WHO}.fromRequest`);
    const init: RequestSyncInit = { method: request.method, headers: new Headers(request.headers), body };
    const native = request as unknown as Record<string, unknown>;
    const captured: Record<string, unknown> = {};
    // Runtimes differ in which of these they report (Workers leaves several undefined); keep
    // each one only when it is a value we would accept ourselves.
    for (const field of REQUEST_OPTIONAL_FIELDS) {
      let value: unknown;
      try {
        value = native[field];
      } catch {
        continue;
      }
      try {
        checkOptional({ [field]: value } as RequestSyncInit);
        if (value !== undefined) captured[field] = value;
      } catch {
        // not representable: leave the default
      }
    }
    return new RequestSync(request.url, { ...captured, ...init });
  }

  /** Absolute, normalized URL. */
  /** Package-internal: what the encoder writes (sync-parts.ts); undefined for objects that merely inherit. */
  [SYNC_PARTS](): SyncParts | undefined {
    if (!(#body in this)) return undefined;
    const trailing: Record<string, unknown> = {};
    for (const field of REQUEST_OPTIONAL_FIELDS) {
      const value = this[field];
      if (value !== REQUEST_DEFAULTS[field]) trailing[field] = value;
    }
    return { tag: 'request-sync', fields: { url: this.url, method: this.method }, headers: this.headers, body: this.#body, trailing };
  }

  get url(): string {
    return this.#url;
  }
  /** HTTP method (standard methods upper-cased). */
  get method(): string {
    return this.#method;
  }
  /** A standalone, mutable Headers. */
  get headers(): Headers {
    return this.#headers;
  }
  get credentials(): RequestSyncCredentials {
    return this.#fields.credentials ?? REQUEST_DEFAULTS.credentials;
  }
  get mode(): RequestSyncMode {
    return this.#fields.mode ?? REQUEST_DEFAULTS.mode;
  }
  get cache(): RequestSyncCache {
    return this.#fields.cache ?? REQUEST_DEFAULTS.cache;
  }
  get redirect(): RequestSyncRedirect {
    return this.#fields.redirect ?? REQUEST_DEFAULTS.redirect;
  }
  get referrer(): string {
    return this.#fields.referrer ?? REQUEST_DEFAULTS.referrer;
  }
  get referrerPolicy(): RequestSyncReferrerPolicy {
    return this.#fields.referrerPolicy ?? REQUEST_DEFAULTS.referrerPolicy;
  }
  get integrity(): string {
    return this.#fields.integrity ?? REQUEST_DEFAULTS.integrity;
  }
  get keepalive(): boolean {
    return this.#fields.keepalive ?? REQUEST_DEFAULTS.keepalive;
  }
  /** Always '' (a constructed request has no destination). */
  get destination(): string {
    return '';
  }
  /** The signal given at construction; never serialized. */
  get signal(): AbortSignal | undefined {
    return this.#signal ?? undefined;
  }

  /** Body as text: objects as JSON, bytes as UTF-8, no body as ''. */
  text(): string {
    return bodyText(this.#body);
  }
  /** Body parsed as JSON; an object body is returned as is; no body gives null. */
  json<T = unknown>(): T {
    return bodyJson(this.#body) as T;
  }
  /** The stored buffer for a binary body, otherwise freshly encoded UTF-8. */
  arrayBuffer(): ArrayBuffer {
    return bodyArrayBuffer(this.#body);
  }
  /** `Uint8Array` over `arrayBuffer()`. */
  bytes(): Uint8Array {
    return new Uint8Array(this.arrayBuffer());
  }
  /** Body as a Blob typed by the content-type header. */
  blob(): Blob {
    return new Blob([this.arrayBuffer()], { type: this.#headers.get('content-type') ?? '' });
  }
  /** Always throws: form data is not kept; use json() or text(). */
  formData(): never {
    throw formDataUnsupported(WHO);
  }

  /** A copy with its own Headers; object bodies are shared, bytes copied. */
  clone(): RequestSync {
    return new RequestSync(this);
  }

  /**
   * A native Request. Object bodies become JSON text (with `content-type: application/json` when
   * none is set). Optional fields are passed only when not default, and dropped when the runtime
   * rejects them.
   */
  toRequest(overrides?: RequestInit): Request {
    const headers = new Headers(this.#headers);
    const isObjectBody = this.#body !== null && typeof this.#body === 'object' && !(this.#body instanceof ArrayBuffer);
    if (isObjectBody && !headers.has('content-type')) headers.set('content-type', 'application/json');
    const required: Record<string, unknown> = {
      method: this.#method,
      headers,
      body: nativeBody(this.#body),
      redirect: this.redirect,
    };
    if (this.#signal != null) required.signal = this.#signal;
    const optional: Array<[string, unknown]> = [];
    for (const field of REQUEST_OPTIONAL_FIELDS) {
      if (field === 'redirect') continue;
      const value = this[field];
      if (value !== REQUEST_DEFAULTS[field]) optional.push([field, value]);
    }
    const build = (fields: Array<[string, unknown]>) =>
      new Request(this.#url, { ...required, ...Object.fromEntries(fields), ...overrides } as RequestInit);
    try {
      return build(optional);
    } catch (error) {
      if (optional.length === 0) throw error;
    }
    // The runtime refused some optional field (Workers does for mode/credentials): keep the ones it accepts.
    const accepted: Array<[string, unknown]> = [];
    for (const entry of optional) {
      try {
        build([...accepted, entry]);
        accepted.push(entry);
      } catch {
        // dropped
      }
    }
    return build(accepted);
  }
}
