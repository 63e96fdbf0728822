/**
 * ResponseSync: a Response-like value that holds only plain data (spec §3.9). A native
 * `Response` exists only inside `toResponse()`.
 */
import { FetchSyncRangeError, FetchSyncTypeError } from './errors.ts';
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
import type { ResponseSyncInit, ResponseSyncType, SerializableBody } from './types.ts';

const WHO = 'ResponseSync';
const NULL_BODY_STATUSES = [204, 205, 304];
export const RESPONSE_TYPES: readonly ResponseSyncType[] = ['basic', 'cors', 'default', 'error', 'opaque', 'opaqueredirect'];

const INIT_FIELDS = ['status', 'statusText', 'url', 'redirected', 'type'];

/** Package-internal: builds a ResponseSync from a decoded `response-sync` entry (sync-parts.ts). */
export const reviveResponseSync: SyncReviver = (p, entry) => {
  const { payload, headers, body } = readSyncPayload(p, entry);
  const init: Record<string, unknown> = { headers };
  for (const field of INIT_FIELDS) if (Object.hasOwn(payload, field)) init[field] = payload[field];
  return new ResponseSync(body as string | object | null, init as ResponseSyncInit);
};

/** Package-internal: the stored body of a ResponseSync (the encoder needs it; not exported publicly). */
export let responseSyncBody: (response: ResponseSync) => StoredBody;

/** Package-internal brand check: true only for real instances (not objects that merely inherit). */
export let isResponseSync: (value: object) => value is ResponseSync;

/**
 * A synchronous, serializable stand-in for `Response` holding plain data only.
 *
 * @example const r = new ResponseSync({ ok: true }, { status: 201 }); r.json(); // { ok: true }
 */
export class ResponseSync {
  #status: number;
  #statusText: string;
  #headers: Headers;
  #body: StoredBody;
  #url: string;
  #redirected: boolean;
  #type: ResponseSyncType;

  static {
    responseSyncBody = (response) => response.#body;
    isResponseSync = (value) => #body in value;
    registerSyncReviver('response-sync', reviveResponseSync);
  }

  constructor(body?: SerializableBody | ArrayBufferView, init: ResponseSyncInit = {}) {
    if (typeof init !== 'object' || init === null) throw new FetchSyncTypeError(`${WHO}: init must be an object`);
    const status = init.status ?? 200;
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 200 || status > 599) {
      throw new FetchSyncRangeError(`${WHO}: status must be an integer from 200 to 599`);
    }
    const statusText = init.statusText ?? '';
    if (typeof statusText !== 'string' || /[\r\n]/.test(statusText)) {
      throw new FetchSyncTypeError(`${WHO}: statusText must be a string without CR or LF`);
    }
    const url = init.url ?? '';
    if (typeof url !== 'string') throw new FetchSyncTypeError(`${WHO}: url must be a string`);
    const redirected = init.redirected ?? false;
    if (typeof redirected !== 'boolean') throw new FetchSyncTypeError(`${WHO}: redirected must be a boolean`);
    this.#type = checkEnum(init.type, RESPONSE_TYPES, 'type', WHO) ?? 'default';
    this.#body = storeBody(body, WHO);
    if (this.#body !== null && NULL_BODY_STATUSES.includes(status)) {
      throw new FetchSyncTypeError(`${WHO}: a ${status} response cannot have a body`);
    }
    this.#status = status;
    this.#statusText = statusText;
    this.#url = url;
    this.#redirected = redirected;
    this.#headers = toHeaders(init.headers, WHO);
  }

  /** Reads a native Response's body once and captures status, headers, url, redirected and type. */
  static async fromResponse(response: Response): Promise<ResponseSync> {
    const body = await readNativeBody(response, `${WHO}.fromResponse`);
    const native = response as unknown as { type?: unknown; redirected?: unknown; url?: unknown };
    const init: ResponseSyncInit = { status: response.status, statusText: response.statusText, headers: new Headers(response.headers) };
    if (typeof native.url === 'string') init.url = native.url;
    if (typeof native.redirected === 'boolean') init.redirected = native.redirected;
    if (typeof native.type === 'string' && (RESPONSE_TYPES as readonly string[]).includes(native.type)) {
      init.type = native.type as ResponseSyncType;
    }
    return new ResponseSync(body, init);
  }

  /** Package-internal: what the encoder writes (sync-parts.ts); undefined for objects that merely inherit. */
  [SYNC_PARTS](): SyncParts | undefined {
    if (!(#body in this)) return undefined;
    const trailing: Record<string, unknown> = {};
    if (this.url !== '') trailing.url = this.url;
    if (this.redirected) trailing.redirected = true;
    if (this.type !== 'default') trailing.type = this.type;
    return { tag: 'response-sync', fields: { status: this.status, statusText: this.statusText }, headers: this.headers, body: this.#body, trailing };
  }

  get status(): number {
    return this.#status;
  }
  /** True for 200–299. */
  get ok(): boolean {
    return this.#status >= 200 && this.#status <= 299;
  }
  get statusText(): string {
    return this.#statusText;
  }
  /** A standalone, mutable Headers. */
  get headers(): Headers {
    return this.#headers;
  }
  /** The captured URL, or ''. */
  get url(): string {
    return this.#url;
  }
  get redirected(): boolean {
    return this.#redirected;
  }
  get type(): ResponseSyncType {
    return this.#type;
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
  clone(): ResponseSync {
    return new ResponseSync(cloneBody(this.#body), {
      status: this.#status,
      statusText: this.#statusText,
      headers: new Headers(this.#headers),
      url: this.#url,
      redirected: this.#redirected,
      type: this.#type,
    });
  }

  /** A native Response (url, redirected and type cannot be set on one and are dropped). */
  toResponse(): Response {
    const headers = new Headers(this.#headers);
    const isObjectBody = this.#body !== null && typeof this.#body === 'object' && !(this.#body instanceof ArrayBuffer);
    if (isObjectBody && !headers.has('content-type')) headers.set('content-type', 'application/json');
    return new Response(nativeBody(this.#body), { status: this.#status, statusText: this.#statusText, headers });
  }
}
