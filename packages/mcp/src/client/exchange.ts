/**
 * One MCP exchange, start to end: initialize (with `Mcp-Session-Id` and the protocol version the
 * server picks), the request, then DELETE of the session. Runs the SDK's own `Client` and
 * `StreamableHTTPClientTransport` (they handle JSON and SSE replies), with a fetch that counts
 * response bytes and one deadline for the whole exchange. Never throws: the outcome is a value or
 * an `McpClientError`.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { McpClientError } from './errors.ts';
import { MAX_LIST_PAGES, MAX_QUOTED_CHARS } from './limits.ts';
import { meshOutputSchemaValidator } from './output-schemas.ts';
import type { McpOperation } from './types.ts';
import { safeUrl } from '@lumenize/utils';

/** What performs one HTTP request: global `fetch` or a Fetcher binding's. */
export type HttpFetch = (request: Request) => Promise<Response>;

/** One exchange's inputs (already checked). */
export interface ExchangeInput {
  url: string;
  operation: McpOperation;
  headers: Record<string, string>;
  timeout: number;
  maxResponseBytes: number;
}

const CLIENT_INFO = { name: 'lumenize-mcp-client', version: '0.1.0' };
const NO_BODY = new Set([101, 204, 205, 304]);


/** The fetch for an optional outbound binding in `env`, or the NETWORK_ERROR of a missing one. */
export function httpFetchFor(env: object, outboundBinding: string | undefined): HttpFetch | McpClientError {
  if (outboundBinding === undefined) return (request) => fetch(request);
  const fetcher = (env as Record<string, unknown>)[outboundBinding] as { fetch?: unknown } | undefined;
  if (fetcher === undefined || fetcher === null || typeof fetcher.fetch !== 'function') {
    return new McpClientError('NETWORK_ERROR', `Missing outbound binding '${outboundBinding}': env has no Fetcher (service binding) with that name`);
  }
  return (request) => (fetcher as Fetcher).fetch(request);
}

function quote(text: string): string {
  return text.length > MAX_QUOTED_CHARS ? `${text.slice(0, MAX_QUOTED_CHARS)}…` : text;
}

/** A fetch whose response bodies, together, may not pass `limit` bytes. */
function countingFetch(base: HttpFetch, limit: number, tooLarge: () => McpClientError): (url: string | URL, init?: RequestInit) => Promise<Response> {
  let left = limit;
  return async (url, init) => {
    const response = await base(new Request(url, init));
    if (!response.body || NO_BODY.has(response.status)) return response;
    const declared = Number(response.headers.get('content-length') ?? Number.NaN);
    if (Number.isFinite(declared) && declared > left) {
      await response.body.cancel().catch(() => {});
      throw tooLarge();
    }
    const counter = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        left -= chunk.byteLength;
        if (left < 0) controller.error(tooLarge());
        else controller.enqueue(chunk);
      },
    });
    return new Response(response.body.pipeThrough(counter), { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

/** Any failure as an McpClientError with a message that says what and where. */
export function toClientError(error: unknown, where: { url: string; tool?: string }): McpClientError {
  if (error instanceof McpClientError) return error;
  const base = { url: where.url, ...(where.tool !== undefined ? { tool: where.tool } : {}) };
  if (error instanceof StreamableHTTPError) {
    const status = typeof error.code === 'number' && error.code > 0 ? error.code : undefined;
    return new McpClientError('HTTP_ERROR', `MCP server ${where.url} answered HTTP ${status ?? '(no status)'}: ${quote(error.message)}`, { ...base, ...(status !== undefined ? { status } : {}) });
  }
  if (error instanceof McpError) {
    if (error.code === ErrorCode.RequestTimeout) return new McpClientError('TIMEOUT', `MCP request to ${where.url} timed out: ${quote(error.message)}`, { ...base, ambiguous: true });
    if (error.code === ErrorCode.ConnectionClosed) return new McpClientError('NETWORK_ERROR', `MCP connection to ${where.url} closed: ${quote(error.message)}`, base);
    return new McpClientError('RPC_ERROR', `MCP server ${where.url} answered JSON-RPC error ${error.code}: ${quote(error.message)}`, { ...base, rpcCode: error.code, ...(error.data !== undefined ? { data: error.data } : {}) });
  }
  const e = error instanceof Error ? error : new Error(String(error));
  if (e.name === 'ZodError' || e instanceof SyntaxError || /protocol version/i.test(e.message)) {
    return new McpClientError('PROTOCOL_ERROR', `MCP server ${where.url} sent an answer that is not valid MCP: ${quote(e.message)}`, base);
  }
  return new McpClientError('NETWORK_ERROR', `MCP server ${where.url} could not be reached: ${quote(e.message)}`, base);
}

function toolErrorText(result: CallToolResult): string {
  for (const item of result.content ?? []) if (item.type === 'text' && typeof item.text === 'string') return quote(item.text);
  return '(no text content)';
}

/** Runs one exchange; resolves to `Tool[]`, a `CallToolResult`, or an `McpClientError`. */
export async function runExchange(input: ExchangeInput, http: HttpFetch | McpClientError): Promise<Tool[] | CallToolResult | McpClientError> {
  const url = safeUrl(input.url);
  const tool = input.operation.kind === 'callTool' ? input.operation.name : undefined;
  const where = { url, ...(tool !== undefined ? { tool } : {}) };
  if (http instanceof McpClientError) return http;
  const deadline = new AbortController();
  const tooLarge = () => {
    const error = new McpClientError('RESPONSE_TOO_LARGE', `MCP server ${url} sent more than the ${input.maxResponseBytes}-byte response limit (options.maxResponseBytes); the exchange was stopped`, where);
    // An SSE stream fails in the background: abort so the pending request ends with this error.
    deadline.abort(error);
    return error;
  };
  const timer = setTimeout(() => {
    deadline.abort(new McpClientError('TIMEOUT', `MCP exchange with ${url} did not finish within ${input.timeout} ms (options.timeout); the request may have run on the server`, { ...where, ambiguous: true }));
  }, input.timeout);
  const transport = new StreamableHTTPClientTransport(new URL(input.url), {
    fetch: countingFetch(http, input.maxResponseBytes, tooLarge),
    requestInit: { headers: input.headers },
    // One exchange, one deadline: no background reconnects.
    reconnectionOptions: { maxRetries: 0, initialReconnectionDelay: 1_000, maxReconnectionDelay: 1_000, reconnectionDelayGrowFactor: 1 },
  });
  // No eval in workerd: output schemas are checked by mesh's JSON Schema validator, not Ajv.
  const client = new Client(CLIENT_INFO, { jsonSchemaValidator: meshOutputSchemaValidator });
  client.onerror = () => {};
  const options = { signal: deadline.signal, timeout: input.timeout };
  try {
    await client.connect(transport, options);
    let outcome: Tool[] | CallToolResult | McpClientError;
    if (input.operation.kind === 'listTools') {
      const tools: Tool[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        if (++pages > MAX_LIST_PAGES) throw new McpClientError('PROTOCOL_ERROR', `MCP server ${url} kept paging tools/list past ${MAX_LIST_PAGES} pages`, where);
        const page = await client.listTools(cursor === undefined ? undefined : { cursor }, options);
        tools.push(...page.tools);
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      outcome = tools;
    } else {
      // A progress token lets the server stream (an SSE reply); the notifications themselves are not forwarded.
      const result = (await client.callTool({ name: input.operation.name, arguments: input.operation.arguments }, undefined, { ...options, onprogress: () => {} })) as CallToolResult;
      outcome = result.isError === true ? new McpClientError('TOOL_ERROR', `MCP tool '${input.operation.name}' at ${url} reported an error: ${toolErrorText(result)}`, { ...where, result }) : result;
    }
    // Good manners: end the server's session now rather than at its idle expiry.
    await transport.terminateSession().catch(() => {});
    return outcome;
  } catch (error) {
    return toClientError(deadline.signal.aborted ? deadline.signal.reason : error, where);
  } finally {
    clearTimeout(timer);
    await client.close().catch(() => {});
  }
}
