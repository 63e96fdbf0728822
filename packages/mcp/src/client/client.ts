/**
 * `McpClient`, the caller's side of `this.svc.mcp.client(url)`. Each call is synchronous, returns a
 * request id, and later runs the handler exactly once with the result or an `McpClientError`.
 * In a LumenizeDO the exchange runs in `McpClientExecutor` (off the DO's clock) and comes back as
 * a new inbound call, claimed from a pending record, with a watchdog alarm as the fallback. In a
 * LumenizeWorker (no storage, no clock to save) the exchange runs in the Worker's own `waitUntil`.
 */
import { debug } from '@lumenize/debug';
import {
  decodeOperationChain,
  encodeOperationChain,
  entryName,
  executeOperationChain,
  getOperationChain,
  newContinuation,
  replaceNestedOperationMarkers,
  type AnyContinuation,
  type CallContext,
  type OperationChain,
} from '@lumenize/mesh';
import { parse, stringify } from '@lumenize/structured-clone';
import { McpClientError } from './errors.ts';
import type { McpClientExecutor } from './executor.ts';
import { httpFetchFor, runExchange } from './exchange.ts';
import { safeUrl } from '@lumenize/utils';
import { CLIENT_WORK_TYPE } from './limits.ts';
import type { McpClientMessage, McpClientOptions, McpOperation, ResolvedClientOptions } from './types.ts';
import { checkArguments, checkHandler, checkServerUrl, checkToolName, resolveClientOptions } from './validate.ts';

const log = debug('lmz.mcp.McpClient');
const LOCAL = { requireMeshDecorator: false } as const;

/** The KV key `LumenizeDO.__receiveResult('mcp', reqId, …)` claims. */
export const clientPendingKey = (reqId: string) => `__lmz_${CLIENT_WORK_TYPE}_pending:${reqId}`;
/** The alarm id of a request's watchdog. */
export const clientWatchdogId = (reqId: string) => `__lmz_mcp_client:${reqId}`;

interface AlarmsLike {
  schedule(when: Date, continuation: AnyContinuation, options?: { id?: string }): unknown;
  cancelSchedule(id: string): unknown;
}

/** The slice of a mesh node the client uses (LumenizeDO has all of it; LumenizeWorker no storage). */
interface MeshNode {
  readonly env: object;
  readonly ctx: { storage?: DurableObjectStorage; waitUntil?(promise: Promise<unknown>): void };
  readonly lmz: { readonly bindingName?: string; readonly instanceNameOrId?: string; readonly callContext: CallContext; call(binding: string, instance: string | undefined, remote: AnyContinuation, handler?: AnyContinuation): void };
  readonly svc?: { readonly alarms: AlarmsLike };
}

/** The framework continuation the pending record holds: `svc.mcp.client(url).__settle(...)`. */
interface SettleHost {
  svc: { mcp: { client(url: string): McpClient } };
}

function captureContext(node: MeshNode): { callChain: CallContext['callChain'][number][]; originAuth?: CallContext['originAuth']; state: Record<string, unknown> } | undefined {
  let ctx: CallContext;
  try {
    ctx = node.lmz.callContext;
  } catch {
    return undefined;
  }
  const wire: { callChain: CallContext['callChain'][number][]; originAuth?: CallContext['originAuth']; state: Record<string, unknown> } = { callChain: ctx.callChain.map((n) => ({ ...n })), state: { ...ctx.state } };
  if (ctx.originAuth !== undefined) wire.originAuth = ctx.originAuth;
  return wire;
}

/**
 * A client of one remote MCP server. Get it with `this.svc.mcp.client(url, options)` in a
 * LumenizeDO, or `mcpClient(this, url, options)` in a LumenizeWorker. Guide: docs/mcp.md#mcp-client.
 * @example this.svc.mcp.client('https://mcp.example.com/mcp', { bearerToken }).callTool('add', { a: 1, b: 2 }, this.ctn().onSum(this.ctn().$result));
 */
export class McpClient {
  readonly #node: MeshNode;
  readonly #url: string;
  readonly #options: ResolvedClientOptions;

  constructor(node: object, url: string, options?: McpClientOptions) {
    this.#node = node as MeshNode;
    this.#url = checkServerUrl(url);
    this.#options = resolveClientOptions(options);
  }

  /**
   * Lists the server's tools (every page); the handler receives `McpTool[]` or an `McpClientError`.
   * @example this.svc.mcp.client(url).listTools(this.ctn().onTools(this.ctn().$result));
   */
  listTools(handler: AnyContinuation): string {
    return this.#start({ kind: 'listTools' }, checkHandler(handler, 'listTools(handler)'));
  }

  /**
   * Calls tool `name` with `args`; the handler receives the `McpCallToolResult` or an
   * `McpClientError` (HTTP, JSON-RPC — e.g. refused arguments —, the tool's `isError`, timeout, size).
   * @example this.svc.mcp.client(url).callTool('add', { a: 1, b: 2 }, this.ctn().onSum(this.ctn().$result));
   */
  callTool(name: string, args: Record<string, unknown> | undefined, handler: AnyContinuation): string {
    const operation: McpOperation = { kind: 'callTool', name: checkToolName(name), arguments: checkArguments(args) };
    return this.#start(operation, checkHandler(handler, 'callTool(name, args, handler)'));
  }

  #start(operation: McpOperation, userChain: OperationChain): string {
    const kv = this.#node.ctx?.storage?.kv;
    return kv ? this.#handOff(kv, operation, userChain) : this.#runHere(operation, userChain);
  }

  /** LumenizeDO: pending record + watchdog, then a fire-and-forget hand-off to the executor. */
  #handOff(kv: SyncKvStorage, operation: McpOperation, userChain: OperationChain): string {
    const node = this.#node;
    const opts = this.#options;
    const originBinding = node.lmz.bindingName;
    const originId = node.lmz.instanceNameOrId;
    if (typeof originBinding !== 'string' || originBinding === '' || typeof originId !== 'string' || originId === '') {
      throw new Error(
        'svc.mcp.client: this Durable Object does not know its own identity (binding name), so the result could not find its way back. ' +
          'Call this.lmz.init({ bindingName: "MY_DO" }) (for example in onStart), or reach the DO first through routeDORequest or a mesh call',
      );
    }
    const executor = (node.env as Record<string, unknown>)[opts.executorBinding];
    if (executor === undefined || executor === null) {
      throw new Error(`svc.mcp.client: env.${opts.executorBinding} is missing; bind McpClientExecutor to this Worker under that name (docs/mcp.md#mcp-client)`);
    }
    const alarms = node.svc?.alarms;
    if (!alarms) throw new Error('svc.mcp.client needs this.svc.alarms (a LumenizeDO) for its watchdog');
    const reqId = crypto.randomUUID();
    const root = newContinuation<SettleHost>();
    const settle = root.svc.mcp.client(this.#url);
    const ctx = captureContext(node);
    kv.put(clientPendingKey(reqId), {
      chain: encodeOperationChain(getOperationChain(settle.__settle(reqId, stringify(encodeOperationChain(userChain)), root.$result))!),
      ...(ctx ? { callContext: ctx } : {}),
    });
    const url = safeUrl(this.#url);
    const timeout = new McpClientError('TIMEOUT', `MCP request ${reqId} to ${url} got no result before the watchdog fired (timeout + watchdogGraceMs); the request may have run on the server`, {
      url,
      ambiguous: true,
      ...(operation.kind === 'callTool' ? { tool: operation.name } : {}),
    });
    const deliver = newContinuation<{ __receiveResult(t: string, id: string, s: string): void }>().__receiveResult(CLIENT_WORK_TYPE, reqId, stringify(timeout));
    alarms.schedule(new Date(Date.now() + opts.timeout + opts.watchdogGraceMs), deliver, { id: clientWatchdogId(reqId) });
    const message: McpClientMessage = {
      v: 1,
      reqId,
      originBinding,
      originId,
      url: this.#url,
      operation,
      headers: opts.headers,
      timeout: opts.timeout,
      maxResponseBytes: opts.maxResponseBytes,
      ...(opts.outboundBinding !== undefined ? { outboundBinding: opts.outboundBinding } : {}),
    };
    node.lmz.call(opts.executorBinding, undefined, newContinuation<McpClientExecutor>().executeMcp(message), settle.__dispatched(reqId, root.$result));
    log.debug('dispatched', { reqId, url, operation: operation.kind });
    return reqId;
  }

  /** LumenizeWorker: nothing to save, so the exchange runs in this invocation's `waitUntil`. */
  #runHere(operation: McpOperation, userChain: OperationChain): string {
    const waitUntil = this.#node.ctx?.waitUntil?.bind(this.#node.ctx);
    if (!waitUntil) throw new Error('mcpClient: the node must be a LumenizeDO or a LumenizeWorker (it has neither storage nor ctx.waitUntil)');
    const reqId = crypto.randomUUID();
    const opts = this.#options;
    const input = { url: this.#url, operation, headers: opts.headers, timeout: opts.timeout, maxResponseBytes: opts.maxResponseBytes };
    waitUntil(
      runExchange(input, httpFetchFor(this.#node.env, opts.outboundBinding))
        .then((result) => this.#runHandler(userChain, result, reqId))
        .catch((error: unknown) => log.error('MCP client delivery failed', { reqId, error })),
    );
    return reqId;
  }

  /** Framework-only (the claimed pending record): cancels the watchdog and runs the handler. */
  __settle(reqId: string, serializedUser: string, result: unknown): unknown {
    this.#node.svc?.alarms.cancelSchedule(clientWatchdogId(reqId));
    let chain: OperationChain;
    try {
      chain = decodeOperationChain(parse(serializedUser));
    } catch (error) {
      log.error('stored handler could not be decoded', { reqId, error });
      return undefined;
    }
    return this.#runHandler(chain, result, reqId);
  }

  /** Framework-only: the executor answered the hand-off (the DO holds no I/O for it from here on). */
  __dispatched(reqId: string, outcome: unknown): void {
    if (outcome instanceof Error) log.warn('hand-off to McpClientExecutor failed; the watchdog will report a timeout', { reqId, error: outcome });
  }

  #runHandler(userChain: OperationChain, result: unknown, reqId: string): Promise<unknown> {
    const where = { reqId, handler: entryName(userChain), url: safeUrl(this.#url), outcome: result instanceof McpClientError ? result.code : 'ok' };
    let chain: OperationChain;
    try {
      chain = replaceNestedOperationMarkers(userChain, result);
    } catch (error) {
      log.error('handler could not be prepared', { ...where, error });
      return Promise.resolve(undefined);
    }
    return Promise.resolve()
      .then(() => executeOperationChain(chain, this.#node, LOCAL))
      .then(
        () => log.debug('handler ran', where),
        (error: unknown) => log.error('handler failed; not retried', { ...where, error }),
      );
  }
}

/**
 * The MCP client for any mesh node: `this.svc.mcp.client(...)` in a LumenizeDO is the same thing.
 * @example mcpClient(this, url, { bearerToken }).listTools(this.ctn().onTools(this.ctn().$result));
 */
export function mcpClient(node: object, url: string, options?: McpClientOptions): McpClient {
  return new McpClient(node, url, options);
}
