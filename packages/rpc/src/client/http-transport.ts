/** HTTP batch transport (spec §3.8): one POST per batch, aborted after `timeout` ms. */
import type { RpcBatchRequest, RpcBatchResponse, RpcTransport } from '../types.ts';
import { DEFAULT_PREFIX, DEFAULT_TIMEOUT_MS, prefixType } from '../limits.ts';
import { RpcTransportError } from '../errors.ts';
import { parseResponseMessage } from '../wire.ts';
import { encodeBatchRequest } from './encoded-batch.ts';
import { defaultBaseUrl, endpointUrl } from './endpoint.ts';

export interface HttpTransportConfig {
  baseUrl?: string;
  prefix?: string;
  timeout?: number;
  fetch?: typeof fetch;
  headers?: Record<string, string>;
}

/** Stateless transport: always "connected", no downstream messages. */
export class HttpPostRpcTransport implements RpcTransport {
  readonly url: string;
  readonly #type: string;
  readonly #timeout: number;
  readonly #fetch: typeof fetch;
  readonly #headers: Record<string, string>;

  constructor(doBindingName: string, doInstanceNameOrId: string, config: HttpTransportConfig = {}) {
    const prefix = config.prefix ?? DEFAULT_PREFIX;
    this.#type = prefixType(prefix);
    this.url = endpointUrl(config.baseUrl ?? defaultBaseUrl(), prefix, doBindingName, doInstanceNameOrId);
    this.#timeout = config.timeout ?? DEFAULT_TIMEOUT_MS;
    const f = config.fetch ?? globalThis.fetch;
    this.#fetch = (...a: Parameters<typeof fetch>) => f(...a);
    this.#headers = config.headers ?? {};
  }

  async execute(batch: RpcBatchRequest): Promise<RpcBatchResponse> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.#timeout);
    try {
      const res = await this.#fetch(this.url, {
        method: 'POST',
        headers: { ...this.#headers, 'Content-Type': 'application/json' },
        body: encodeBatchRequest(batch, this.#type),
        signal: controller.signal,
      });
      const text = await res.text();
      const results = parseResponseMessage(text, this.#type, (_id, encoded) => encoded);
      if (!results) throw new RpcTransportError('HTTP_ERROR', `HTTP ${res.status}: ${res.statusText}`);
      return { batch: results };
    } catch (error) {
      if (timedOut) throw new RpcTransportError('TIMEOUT', `RPC batch timed out after ${this.#timeout}ms`);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  isConnected(): boolean {
    return true;
  }

  setKeepAlive(_enabled: boolean): void {}

  /** Nothing to close (stateless); present so every transport can be disposed alike. */
  disconnect(): void {}
}

/**
 * An HTTP batch transport to `{baseUrl}/{prefix}/{binding}/{instance}/call`.
 * @example createRpcClient<typeof Counter>({ transport: createHttpTransport('COUNTER', 'a') })
 */
export function createHttpTransport(doBindingName: string, doInstanceNameOrId: string, config?: HttpTransportConfig): HttpPostRpcTransport {
  return new HttpPostRpcTransport(doBindingName, doInstanceNameOrId, config);
}
